"""Suggested group compositions (issue 16): where the districts lie, which children must not meet
(or are siblings), and the solver's suggestions with the operations manager's decision on each.

A suggestion holds referral ids and ages, never a name or identity number: the pages show the
child as the waiting list does (the name once the consent gate is open, else the pseudonym).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from groups.models import SupportGroup
from partnership.models import Agreement, BackgroundJob, District, TargetGroup, TimeStampedModel
from referrals.models import Referral


class DistrictCentre(TimeStampedModel):
    """The approximate centre of a district, for the distance children travel to a group. Data:
    migration 0001 seeds Stockholm's 13 districts; others are added in the admin."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="centre")
    latitude = models.DecimalField(_("latitud"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitud"), max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["district__name"]
        verbose_name = _("stadsdelens mittpunkt")
        verbose_name_plural = _("stadsdelarnas mittpunkter")

    def __str__(self) -> str:
        return f"{self.district} ({self.latitude}, {self.longitude})"


class ChildRelation(TimeStampedModel):
    """What the district knows about two of its children that matters for composing groups:
    they must not meet (e.g. one has harmed the other), or they are siblings (kept together).
    Recorded by the district's social worker; the pair is stored in id order, once."""

    class Kind(models.TextChoices):
        MUST_NOT_MEET = "apart", _("Får inte träffas")
        SIBLINGS = "siblings", _("Syskon (placeras tillsammans)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("vad gäller"), max_length=10, choices=Kind.choices)
    first = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hänsyn mellan barn")
        verbose_name_plural = _("hänsyn mellan barn")
        constraints = [
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="child_relation_pair_in_order"),
            models.UniqueConstraint(fields=["first", "second"], name="child_relation_once_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.first} – {self.second}: {self.get_kind_display()}"


class CompositionRequest(TimeStampedModel):
    """One run of the solver over a provider's waiting list for a target group, and its outcome.

    Asked for in the web, solved in the background (composition/tasks.py): until then the outcome's
    fields are empty and `job` says where the solving stands. Suggestions made before the solver
    ran in the background have no job.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="+")
    target_group = models.ForeignKey(TargetGroup, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    planned_start = models.DateField(_("planerad start"))
    max_groups = models.PositiveSmallIntegerField(_("högst antal grupper"))
    max_age_spread = models.PositiveSmallIntegerField(_("största åldersspridning (år)"))
    job = models.OneToOneField(BackgroundJob, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    waiting_count = models.PositiveIntegerField(_("barn i väntelistan"), default=0)
    # The solver's status (composition.solver.Solution.status); empty until it has run.
    solver_status = models.CharField(_("lösningens status"), max_length=20, blank=True, default="")
    objective = models.BigIntegerField(default=0)
    bound = models.BigIntegerField(default=0)
    # What the bound proves (composition.solver.Proof) and by how many points the best possible
    # suggestion could beat this one (0 when optimal).
    proof = models.CharField(max_length=10, default="optimal")
    gap_points = models.BigIntegerField(default=0)
    wall_ms = models.PositiveIntegerField(_("lösningstid (ms)"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("förslag på gruppsammansättning")
        verbose_name_plural = _("förslag på gruppsammansättning")
        indexes = [models.Index(F("agreement"), F("created_at").desc(), name="composition_request_newest")]

    def __str__(self) -> str:
        return f"{self.target_group} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_solved(self) -> bool:
        return bool(self.solver_status)

    @property
    def is_optimal(self) -> bool:
        return self.solver_status == "OPTIMAL"


class SuggestedGroup(TimeStampedModel):
    """One group of a suggestion: proposed, then accepted (it became `group`) or rejected."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Förslag")
        ACCEPTED = "accepted", _("Godtagen")
        REJECTED = "rejected", _("Avvisad")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(CompositionRequest, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveSmallIntegerField()
    min_age = models.PositiveSmallIntegerField(_("yngst"))
    max_age = models.PositiveSmallIntegerField(_("äldst"))
    travel_km = models.PositiveSmallIntegerField(_("längsta avstånd mellan stadsdelar (km)"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PROPOSED)
    group = models.OneToOneField(
        SupportGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="composition"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)

    class Meta:
        ordering = ["request", "position"]
        verbose_name = _("föreslagen grupp")
        verbose_name_plural = _("föreslagna grupper")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="accepted") | Q(decided_at__isnull=False),
                name="suggested_group_decided_when_accepted",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request} #{self.position}"

    @property
    def age_spread(self) -> int:
        return self.max_age - self.min_age

    @property
    def districts_text(self) -> str:
        """The children's districts, from the prefetched members (composition.selectors)."""
        return ", ".join(sorted({str(member.referral.district) for member in self.members.all()}))


class SuggestedMember(models.Model):
    """A child of a suggested group, with their place in the waiting list when it was solved."""

    suggested_group = models.ForeignKey(SuggestedGroup, on_delete=models.CASCADE, related_name="members")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    waiting_rank = models.PositiveIntegerField(_("plats i väntelistan"))
    age = models.PositiveSmallIntegerField(_("ålder vid start"))
    waited_days = models.PositiveIntegerField(_("dagar i väntan"))

    class Meta:
        ordering = ["suggested_group", "waiting_rank"]
        constraints = [
            models.UniqueConstraint(fields=["suggested_group", "referral"], name="suggested_member_once_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.suggested_group}: {self.referral}"
