"""The partnership as data: organisations, districts, agreements and who works where.

A renewed agreement, a second NGO or another city is a new row here, never new code.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Upper
from django.utils.translation import gettext_lazy as _

from . import history


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        abstract = True


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("Offentlig sektor")
        NONPROFIT = "nonprofit", _("Idéburen sektor")

    class Type(models.TextChoices):
        """What kind of body it is, for the coordination of group support across the city."""

        NGO = "ngo", _("Idéburen organisation")
        CITY = "city", _("Kommunens förvaltning")
        DISTRICT = "district", _("Stadsdelsförvaltning")
        REGION = "region", _("Region (landsting)")
        OTHER = "other", _("Annan myndighet")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("namn"), max_length=200, unique=True)
    short_name = models.CharField(_("kortnamn"), max_length=50, blank=True)
    kind = models.CharField(_("sektor"), max_length=20, choices=Kind.choices)
    organisation_type = models.CharField(
        _("typ av organisation"), max_length=20, choices=Type.choices, default=Type.NGO
    )
    # A district administration that runs groups itself is the organisation of that district.
    district = models.ForeignKey(
        "District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stadsdel (för en stadsdelsförvaltning)"),
    )
    # Public contact details shown on the public page of groups: the organisation's own, never a person's.
    website = models.URLField(_("webbplats"), blank=True)
    public_email = models.EmailField(_("e-post (allmän)"), blank=True)
    public_phone = models.CharField(_("telefon (växel)"), max_length=30, blank=True)
    public_description = models.TextField(_("beskrivning för allmänheten"), blank=True)
    # Whom a provider's groups are for (the coordinator's setup of a provider); its arrangements
    # and groups each name one of them.
    target_groups: "models.ManyToManyField[TargetGroup, Any]" = models.ManyToManyField(
        "TargetGroup", blank=True, related_name="providers", verbose_name=_("målgrupper")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        constraints = [
            # Only a district administration belongs to a district, and a district has one.
            models.CheckConstraint(
                condition=Q(organisation_type="district") | Q(district__isnull=True),
                name="organisation_district_only_for_district_type",
            ),
            models.UniqueConstraint(fields=["district"], name="organisation_one_per_district"),
        ]

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
    """Who an agreement or a group serves, e.g. foster-placed children 7–18 (IOP 2.1), children of
    parents with substance misuse. A list kept in the admin: a new target group is a new row. The
    code is stable (filters and feeds use it); the names are what people read."""

    code = models.SlugField(_("kod"), max_length=40, unique=True)
    name = models.CharField(_("namn"), max_length=200, unique=True)
    name_en = models.CharField(_("namn på engelska"), max_length=200, blank=True)
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

    def display_name(self, language: str = "sv") -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name


class Agreement(TimeStampedModel):
    """The arrangement under which a provider runs groups for a public body: an idéburet offentligt
    partnerskap (budget, quarterly advances, settlement), an annual operating grant (an amount and
    a report, no advances or settlement), or a district's own groups (no money flow)."""

    class Kind(models.TextChoices):
        IOP = "iop", _("Idéburet offentligt partnerskap (IOP)")
        OPERATING_GRANT = "operating_grant", _("Verksamhetsstöd")
        DISTRICT_OWN = "district_own", _("Stadsdelens egna grupper")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("samverkansform"), max_length=20, choices=Kind.choices, default=Kind.IOP)
    # An operating grant: the amount per year and when its report is due. Empty for the others.
    grant_amount_ore = models.BigIntegerField(_("verksamhetsstöd per år (öre)"), null=True, blank=True)
    grant_report_due_on = models.DateField(_("redovisning senast"), null=True, blank=True)
    public_party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements_as_public_party",
        verbose_name=_("offentlig part"),
    )
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreements_as_provider", verbose_name=_("utförare")
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
            # Only an operating grant has a grant amount; an IOP's money is its budget lines.
            models.CheckConstraint(
                condition=Q(kind="operating_grant") | Q(grant_amount_ore__isnull=True),
                name="agreement_grant_only_for_operating_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%Y}–{self.ends_on:%Y})"

    @property
    def is_iop(self) -> bool:
        """Budget years, quarterly advances and a termination settlement exist only for an IOP."""
        return self.kind == self.Kind.IOP

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


class AccessLogEntry(models.Model):
    """Append-only record of every access to a child's identifying data (and failed logins).

    Holds only the pseudonym, never a name or identity number, so it survives purging intact.
    The database refuses UPDATE and DELETE on PostgreSQL (see the migration's trigger).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Visade")
        CREATE = "create", _("Registrerade")
        CHANGE = "change", _("Ändrade")
        EXPORT = "export", _("Exporterade")
        CONCERN = "concern", _("Orosanmälan")
        FAILED_LOGIN = "failed_login", _("Misslyckad inloggning")
        SIGN_IN = "sign_in", _("Inloggning")
        SIGN_OUT = "sign_out", _("Utloggning")
        TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Tvåstegsverifiering aktiverad")
        TWO_FACTOR_REMOVED = "2fa_removed", _("Tvåstegsverifiering borttagen")
        TWO_FACTOR_CODE_ISSUED = "2fa_code_issued", _("Engångskod för tvåstegsverifiering utfärdad")
        MEMBERSHIP_CHANGED = "membership_changed", _("Roll eller stadsdel ändrad")
        PASSWORD_CHOSEN = "password_chosen", _("Lösenord valt via inbjudan")

    occurred_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    username = models.CharField(max_length=150)
    child_pseudonym = models.CharField(max_length=12, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    legal_basis = models.CharField(max_length=200, blank=True)
    what = models.CharField(max_length=200, blank=True)

    class Meta:
        # Kept in the consent app until wave 2; the table keeps its name (and its trigger).
        db_table = "consent_accesslogentry"
        ordering = ["-occurred_at", "-pk"]
        # The log grows by millions of rows a year and is read newest first, filtered by any of
        # child, user, action and period: each filter has an index in the page's order, so the
        # database reads one index range whatever the combination (consent.selectors).
        indexes = [
            models.Index(F("occurred_at").desc(), F("id").desc(), name="access_log_newest"),
            models.Index(F("child_pseudonym"), F("occurred_at").desc(), F("id").desc(), name="access_log_child"),
            models.Index(
                Upper(Cast("username", output_field=models.TextField())),
                F("occurred_at").desc(),
                F("id").desc(),
                name="access_log_username",
            ),
            models.Index(F("action"), F("occurred_at").desc(), F("id").desc(), name="access_log_action"),
            models.Index(F("user"), F("occurred_at").desc(), name="access_log_user"),
        ]
        verbose_name = _("loggpost")
        verbose_name_plural = _("åtkomstlogg")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.child_pseudonym}"


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


class Reminder(TimeStampedModel):
    """A reminder for one user about one object, derived from the database by a periodic sweep.

    Unique per (kind, object, recipient): a sweep that runs again, or twice at once, finds the row
    and creates no duplicate. `sent_at` is set when the email went out, so a broker outage only
    delays a reminder and the next sweep sends what is still unsent. `summary` is written at
    creation from pseudonyms and dates only, never a name or identity number.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No index of their own on the two foreign keys: (recipient, done_at) serves the recipient's
    # lookups, and a content type is never looked up alone. A first sweep over a backlog inserts
    # tens of thousands of rows, and every index costs each insert (bench/reminders.py).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    kind = models.CharField(_("typ"), max_length=40)
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    subject_id = models.PositiveBigIntegerField()
    summary = models.CharField(_("påminnelse"), max_length=300)
    link = models.CharField(max_length=300, blank=True)
    due_on = models.DateField(_("datum"))
    # For reminders that recur about the same object (a term or a year of the agreement): which
    # period this one is about, e.g. "2026-autumn" or "2026". Empty for the others.
    period = models.CharField(max_length=20, blank=True, default="")
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    done_at = models.DateTimeField(_("klar"), null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "recipient", "period"],
                name="reminder_once_per_object_period_and_recipient",
            )
        ]
        indexes = [models.Index(fields=["recipient", "done_at"]), models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return self.summary


# The agreement fields a signed amendment may change; everything else is a new agreement.
AMENDABLE_AGREEMENT_FIELDS = {
    "ends_on": _("gäller till"),
    "target_groups_per_year": _("minsta antal grupper per år"),
    "target_children_per_year": _("antal barn per år (ca)"),
    "min_group_size": _("minsta gruppstorlek"),
    "max_group_size": _("största gruppstorlek"),
    "external_child_fee_ore": _("avgift per barn från annan kommun (öre)"),
}


class AgreementAmendment(TimeStampedModel):
    """A written change to the agreement (IOP 4.x: changes written and signed by both parties).
    Its changes reach the agreement only once both parties have signed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="amendments")
    title = models.CharField(_("rubrik"), max_length=200)
    description = models.TextField(_("ändringens lydelse"))
    changes = models.JSONField(_("ändrade uppgifter"), default=dict)
    previous_values = models.JSONField(default=dict, editable=False)
    public_party_signed_by = models.CharField(
        _("undertecknad för den offentliga parten av"), max_length=200, blank=True
    )
    public_party_signed_on = models.DateField(_("datum"), null=True, blank=True)
    provider_signed_by = models.CharField(_("undertecknad för den idéburna parten av"), max_length=200, blank=True)
    provider_signed_on = models.DateField(_("datum"), null=True, blank=True)
    applied_at = models.DateTimeField(_("gäller sedan"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ändring av överenskommelsen")
        verbose_name_plural = _("ändringar av överenskommelsen")
        constraints = [
            models.CheckConstraint(
                condition=Q(applied_at__isnull=True)
                | (Q(public_party_signed_on__isnull=False) & Q(provider_signed_on__isnull=False)),
                name="amendment_applied_only_when_signed",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_signed(self) -> bool:
        return bool(self.public_party_signed_on and self.provider_signed_on)


class BackgroundJob(TimeStampedModel):
    """One piece of background work, a document to build or a batch of mails to send, and where it
    stands. Every such piece goes through partnership/jobs.py: requested in a transaction, sent to
    the broker once that commits, claimed by one worker, and found again by the sweep if the
    broker never got it or the worker died. `arguments` hold ids and plain values, never personal
    data; `error` names the kind of failure for the operator (an exception's class) and holds none either.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("I kö")
        RUNNING = "running", _("Pågår")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckades")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("typ"), max_length=60)
    # What the work is about ("finance.annual_report:12"): while one job with a key is queued or
    # running, asking again returns that job.
    key = models.CharField(max_length=200)
    arguments = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    progress = models.PositiveSmallIntegerField(_("förlopp (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the broker last accepted the job; empty while the broker has never received it.
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    error = models.CharField(_("fel"), max_length=200, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bakgrundsjobb")
        verbose_name_plural = _("bakgrundsjobb")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(state__in=["queued", "running"]), name="background_job_one_active_per_key"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="background_job_progress_at_most_100"),
        ]
        indexes = [models.Index(fields=["state", "sent_at"], name="background_job_state_sent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class TwoFactorEnrolmentCode(TimeStampedModel):
    """A one-time code a superuser issues so an account without an authenticator may enrol one.

    Without it a password alone cannot add a second factor (issue 14). Only its SHA-256 is
    stored; it expires after TWO_FACTOR_ENROLMENT_CODE_DAYS and works once.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("giltig till"))
    used_at = models.DateTimeField(_("använd"), null=True, blank=True)

    class Meta:
        verbose_name = _("engångskod för tvåstegsverifiering")
        verbose_name_plural = _("engångskoder för tvåstegsverifiering")

    def __str__(self) -> str:
        return f"{self.user} ({self.expires_at:%Y-%m-%d})"


# The change history (partnership/history.py) of an organisation's identity and type, as the
# coordinator sets up a provider (its public contact details are not history).
history.register(Organisation, fields=["name", "short_name", "kind", "organisation_type", "district"])
# The change history of the agreement's amendable terms, and of each
# amendment's signatures: who recorded them and when (the signatories themselves are names on paper).
history.register(Agreement, fields=list(AMENDABLE_AGREEMENT_FIELDS))
history.register(
    AgreementAmendment,
    fields=[
        "public_party_signed_by",
        "public_party_signed_on",
        "provider_signed_by",
        "provider_signed_on",
        "applied_at",
    ],
)
