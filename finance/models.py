"""Money of the partnership, always in integer öre (IOP 3.2, 4.1)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groups.models import Placement
from partnership.models import Agreement, TimeStampedModel


class ExternalFee(TimeStampedModel):
    """5 000 kr owed by another municipality for a child it placed in a group (IOP 3.2).

    The invoice names the child only by initials and age, snapshotted here so that the accounting
    record survives the purging of the child's data.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="external_fees")
    placement = models.OneToOneField(
        Placement, on_delete=models.SET_NULL, null=True, blank=True, related_name="external_fee"
    )
    municipality = models.CharField(_("kommun"), max_length=100)
    child_initials = models.CharField(_("barnets initialer"), max_length=10)
    child_age = models.PositiveSmallIntegerField(_("barnets ålder"))
    group_name = models.CharField(_("grupp"), max_length=200)
    amount_ore = models.BigIntegerField(_("belopp (öre)"))
    invoiced_on = models.DateField(_("fakturadatum"))
    paid_on = models.DateField(_("betald"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-invoiced_on", "municipality"]
        verbose_name = _("avgift från annan kommun")
        verbose_name_plural = _("avgifter från andra kommuner")
        constraints = [models.CheckConstraint(condition=Q(amount_ore__gt=0), name="external_fee_amount_positive")]

    def __str__(self) -> str:
        return f"{self.municipality} {self.child_initials}"
