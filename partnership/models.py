"""The partnership as data: organisations, districts, agreements and who works where.

A renewed agreement, a second NGO or another city is a new row here, never new code.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        abstract = True


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("Offentlig sektor")
        NONPROFIT = "nonprofit", _("Idéburen sektor")

    name = models.CharField(_("namn"), max_length=200, unique=True)
    short_name = models.CharField(_("kortnamn"), max_length=50, blank=True)
    kind = models.CharField(_("sektor"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")

    def __str__(self) -> str:
        return self.short_name or self.name


class District(TimeStampedModel):
    """A city district administration (stadsdelsförvaltning) that places and refers children."""

    municipality = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="districts", verbose_name=_("kommun/förvaltning")
    )
    name = models.CharField(_("namn"), max_length=100)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("stadsdel")
        verbose_name_plural = _("stadsdelar")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name_per_municipality")
        ]

    def __str__(self) -> str:
        return self.name


class TargetGroup(TimeStampedModel):
    """Who an agreement serves, e.g. foster-placed children 7–18 (IOP 2.1)."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    min_age = models.PositiveSmallIntegerField(_("lägsta ålder"))
    max_age = models.PositiveSmallIntegerField(_("högsta ålder"))
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("målgrupp")
        verbose_name_plural = _("målgrupper")
        constraints = [
            models.CheckConstraint(condition=Q(min_age__lte=F("max_age")), name="target_group_age_range_valid")
        ]

    def __str__(self) -> str:
        return self.name


class Agreement(TimeStampedModel):
    """An idéburet offentligt partnerskap between a public body and a provider."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("namn"), max_length=200)
    public_party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements_as_public_party",
        verbose_name=_("offentlig part"),
    )
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreements_as_provider", verbose_name=_("idéburen part")
    )
    target_group = models.ForeignKey(TargetGroup, on_delete=models.PROTECT, verbose_name=_("målgrupp"))
    starts_on = models.DateField(_("gäller från"))
    ends_on = models.DateField(_("gäller till"))
    target_groups_per_year = models.PositiveSmallIntegerField(_("minsta antal grupper per år"), default=4)
    target_children_per_year = models.PositiveSmallIntegerField(_("antal barn per år (ca)"), default=40)
    min_group_size = models.PositiveSmallIntegerField(_("minsta gruppstorlek"), default=5)
    max_group_size = models.PositiveSmallIntegerField(_("största gruppstorlek"), default=8)
    external_child_fee_ore = models.PositiveIntegerField(_("avgift per barn från annan kommun (öre)"), default=500_000)
    # Legal references change with the law (SoL 2001:453 became SoL 2025:400 on 2025-07-01),
    # so what users see is editable text, not code.
    duty_to_report_reference = models.CharField(
        _("lagrum för anmälningsplikt"), max_length=200, default="14 kap. 1 § SoL (2001:453)"
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("överenskommelse")
        verbose_name_plural = _("överenskommelser")
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=F("ends_on")), name="agreement_period_valid"),
            models.CheckConstraint(
                condition=Q(min_group_size__lte=F("max_group_size")), name="agreement_group_size_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%Y}–{self.ends_on:%Y})"

    @property
    def annual_budget_ore(self) -> int:
        return sum(line.annual_amount_ore for line in self.budget_lines.all())


class BudgetLine(TimeStampedModel):
    """One line of the yearly budget (IOP 4.1), in öre so that sums are exact."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="budget_lines")
    name = models.CharField(_("budgetpost"), max_length=100)
    annual_amount_ore = models.BigIntegerField(_("belopp per år (öre)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["agreement", "position", "name"]
        verbose_name = _("budgetpost")
        verbose_name_plural = _("budgetposter")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "name"], name="budget_line_unique_name"),
            models.CheckConstraint(condition=Q(annual_amount_ore__gte=0), name="budget_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    GROUP_LEADER = "group_leader", _("Gruppledare")
    OPERATIONS_MANAGER = "operations_manager", _("Verksamhetsansvarig")
    SOCIAL_WORKER = "social_worker", _("Socialsekreterare")
    COORDINATOR = "coordinator", _("IOP-samordnare")


class Membership(TimeStampedModel):
    """Ties a user to an organisation and a role; social workers also to one district."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("roll"), max_length=30, choices=Role.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [
            # A social worker sees exactly one district's children; nobody else is district-bound.
            models.CheckConstraint(
                condition=(Q(role="social_worker") & Q(district__isnull=False))
                | (~Q(role="social_worker") & Q(district__isnull=True)),
                name="membership_district_iff_social_worker",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class CooperationGroupMember(TimeStampedModel):
    """A member of the samverkansgrupp (IOP 3.2)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="cooperation_members")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    name = models.CharField(_("namn"), max_length=200)
    title = models.CharField(_("funktion"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["agreement", "organisation", "name"]
        verbose_name = _("ledamot i samverkansgruppen")
        verbose_name_plural = _("samverkansgruppen")

    def __str__(self) -> str:
        return f"{self.name} ({self.title})"


class Reminder(TimeStampedModel):
    """A reminder for one user about one object, derived from the database by a periodic sweep.

    Unique per (kind, object, recipient): a sweep that runs again, or twice at once, finds the row
    and creates no duplicate. `sent_at` is set when the email went out, so a broker outage only
    delays a reminder and the next sweep sends what is still unsent. `summary` is written at
    creation from pseudonyms and dates only, never a name or identity number.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("typ"), max_length=40)
    subject_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    summary = models.CharField(_("påminnelse"), max_length=300)
    link = models.CharField(max_length=300, blank=True)
    due_on = models.DateField(_("datum"))
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    done_at = models.DateTimeField(_("klar"), null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "recipient"],
                name="reminder_once_per_object_and_recipient",
            )
        ]
        indexes = [models.Index(fields=["recipient", "done_at"]), models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return self.summary
