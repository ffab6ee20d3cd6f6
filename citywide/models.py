"""What the city-wide dashboard keeps: the demand a closed term received, counted once."""

from django.db import models

from followup.models import Term


class ReceivedInTerm(models.Model):
    """Referrals and interest registrations a closed term received, per district and target group
    (citywide.demand): the dashboard's chart and forecast go back three years, and counting them
    again on every view read a third of all referrals.

    A closed term's figures cannot change: a referral or a registration is dated when it is made
    and keeps its district and agreement, a referral is never deleted (purging keeps the
    pseudonymous row), and a purged registration leaves an InterestRegistrationPurge dated the
    same day, which the count includes. Public interests are not kept here: they are deleted when
    they lapse, and the dashboard counts those still there, as before.
    """

    year = models.PositiveSmallIntegerField()
    term = models.CharField(max_length=10, choices=Term.choices)
    # [[district_id, target_group_id, referrals, interests], ...]; the ids may be null.
    counts = models.JSONField(default=list)
    counted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "term"], name="received_in_term_once")]

    def __str__(self) -> str:
        return f"{self.year}-{self.term}"
