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


# =================================================================================================
# Follow-up (issue 6): evaluation instruments and answers, the cooperation group's meetings and
# the agreement's amendments, district contacts, breakfast information meetings and the follow-up
# report. Kept in one section at the end so the other apps' work merges cleanly.
# Groups and referrals are referred to by string: groups.models imports this module.
# =================================================================================================


class EvaluationAudience(models.TextChoices):
    CHILD = "child", _("Barn 7–12 år")
    YOUTH = "youth", _("Ungdom 13–18 år")
    FOSTER_FAMILY = "foster_family", _("Familjehem")


class EvaluationMoment(models.TextChoices):
    BEFORE = "before", _("Före gruppen")
    AFTER = "after", _("Efter sista träffen")
    FOLLOW_UP = "follow_up", _("Uppföljning, några månader efter")


class EvaluationInstrument(TimeStampedModel):
    """A questionnaire, as data. A changed wording is a new version (a new row), so answers
    always point at the exact questions that were asked."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("kod"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("namn"), max_length=200)
    audience = models.CharField(_("vem svarar"), max_length=20, choices=EvaluationAudience.choices)
    # The moments this questionnaire is used at; the same items before and after give the change.
    moments = models.JSONField(_("tillfällen"), default=list)
    introduction = models.TextField(_("inledning"), blank=True)
    is_active = models.BooleanField(_("används"), default=True)

    class Meta:
        ordering = ["audience", "code", "-version"]
        verbose_name = _("utvärderingsformulär")
        verbose_name_plural = _("utvärderingsformulär")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="evaluation_instrument_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def moment_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in EvaluationMoment.choices if value in self.moments]


class EvaluationQuestion(TimeStampedModel):
    class Kind(models.TextChoices):
        LIKERT = "likert", _("Skala")
        FREE_TEXT = "free_text", _("Fritext")

    instrument = models.ForeignKey(EvaluationInstrument, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("ordning"))
    code = models.SlugField(_("kod"), max_length=60)
    text = models.CharField(_("fråga"), max_length=300)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.LIKERT)
    scale_min = models.PositiveSmallIntegerField(_("skalans lägsta värde"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("skalans högsta värde"), default=5)
    low_label = models.CharField(_("text vid lägsta värdet"), max_length=100, blank=True)
    high_label = models.CharField(_("text vid högsta värdet"), max_length=100, blank=True)
    # The one item whose high answers (>= satisfied_from) count as "satisfied" in the report.
    measures_satisfaction = models.BooleanField(_("mäter nöjdhet"), default=False)
    satisfied_from = models.PositiveSmallIntegerField(_("nöjd från värdet"), default=4)
    is_required = models.BooleanField(_("obligatorisk"), default=False)

    class Meta:
        ordering = ["instrument", "position"]
        verbose_name = _("fråga")
        verbose_name_plural = _("frågor")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="evaluation_question_unique_code"),
            models.CheckConstraint(condition=Q(scale_min__lt=F("scale_max")), name="evaluation_question_scale_valid"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)


class EvaluationAnswerSet(TimeStampedModel):
    """One filled-in questionnaire. The link to the child (referral) is removed when the child's
    data is purged; group, age band, district and format stay so that figures can still be made,
    and respondent_key (random, per child and group) still pairs a before with an after."""

    class Channel(models.TextChoices):
        ENTERED = "entered", _("Inmatad av gruppledare")
        LINK = "link", _("Besvarad via länk")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    instrument = models.ForeignKey(EvaluationInstrument, on_delete=models.PROTECT, related_name="answer_sets")
    moment = models.CharField(_("tillfälle"), max_length=20, choices=EvaluationMoment.choices)
    group = models.ForeignKey("groups.SupportGroup", on_delete=models.PROTECT, related_name="evaluation_answer_sets")
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evaluation_answer_sets",
    )
    respondent_key = models.UUIDField(_("svarsnyckel"), default=uuid.uuid4, editable=False)
    group_format = models.CharField(_("form"), max_length=20)
    age_band = models.CharField(_("åldersgrupp"), max_length=10)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    channel = models.CharField(_("kanal"), max_length=20, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_on = models.DateField(_("besvarad"))

    class Meta:
        ordering = ["group", "instrument", "moment", "created_at"]
        verbose_name = _("utvärderingssvar")
        verbose_name_plural = _("utvärderingssvar")
        constraints = [
            # One questionnaire per child, instrument and moment while the child is still linked.
            models.UniqueConstraint(
                fields=["referral", "group", "instrument", "moment"],
                condition=Q(referral__isnull=False),
                name="evaluation_answer_set_once_per_child",
            )
        ]
        indexes = [models.Index(fields=["group", "moment"])]

    def __str__(self) -> str:
        return f"{self.instrument} {self.get_moment_display()}"


class EvaluationAnswer(models.Model):
    answer_set = models.ForeignKey(EvaluationAnswerSet, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(EvaluationQuestion, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(_("värde"), null=True, blank=True)
    text = models.TextField(_("svar"), blank=True)

    class Meta:
        ordering = ["answer_set", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["answer_set", "question"], name="evaluation_answer_once_per_question"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__lte=10), name="evaluation_value_small"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}={self.value if self.value is not None else self.text[:20]}"


class EvaluationLink(TimeStampedModel):
    """A one-time, expiring link for a foster family to answer without logging in. Only a hash of
    the token is stored: the database alone cannot be used to answer in someone's name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    instrument = models.ForeignKey(EvaluationInstrument, on_delete=models.PROTECT, related_name="links")
    moment = models.CharField(_("tillfälle"), max_length=20, choices=EvaluationMoment.choices)
    group = models.ForeignKey("groups.SupportGroup", on_delete=models.CASCADE, related_name="evaluation_links")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluation_links"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("giltig till"))
    used_at = models.DateTimeField(_("använd"), null=True, blank=True)
    answer_set = models.OneToOneField(
        EvaluationAnswerSet, on_delete=models.SET_NULL, null=True, blank=True, related_name="link"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("svarslänk")
        verbose_name_plural = _("svarslänkar")

    def __str__(self) -> str:
        return f"{self.instrument} {self.expires_at:%Y-%m-%d}"


class Term(models.TextChoices):
    SPRING = "spring", _("Vårtermin")
    AUTUMN = "autumn", _("Hösttermin")


class CooperationMeeting(TimeStampedModel):
    """A meeting of the samverkansgrupp: at least once a term (IOP 3.2)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="cooperation_meetings")
    meeting_date = models.DateField(_("datum"))
    location = models.CharField(_("plats"), max_length=200, blank=True)
    minutes = models.TextField(_("protokoll"), blank=True)
    held_at = models.DateTimeField(_("protokoll fört"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-meeting_date"]
        verbose_name = _("samverkansmöte")
        verbose_name_plural = _("samverkansmöten")

    def __str__(self) -> str:
        return f"{_('Samverkansmöte')} {self.meeting_date:%Y-%m-%d}"


class AgendaItem(TimeStampedModel):
    meeting = models.ForeignKey(CooperationMeeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("ordning"))
    title = models.CharField(_("punkt"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    # Follow-up is a standing item of every meeting (IOP 4.2).
    is_standing = models.BooleanField(_("stående punkt"), default=False)
    report = models.ForeignKey(
        "FollowUpReport", on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("dagordningspunkt")
        verbose_name_plural = _("dagordning")

    def __str__(self) -> str:
        return self.title


class CooperationDecision(TimeStampedModel):
    meeting = models.ForeignKey(CooperationMeeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("beslut"))
    owner = models.ForeignKey(
        CooperationGroupMember, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("ansvarig")
    )
    due_on = models.DateField(_("klart senast"))
    done_at = models.DateTimeField(_("klart"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "due_on"]
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")

    def __str__(self) -> str:
        return self.text[:60]


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


class DistrictContact(TimeStampedModel):
    """A person in a district on the city's contact list (IOP 3.1.3): mailed and invited."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(_("namn"), max_length=200)
    role = models.CharField(_("funktion"), max_length=200)
    email = models.EmailField(_("e-post"))
    phone = models.CharField(_("telefon"), max_length=50, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["district__name", "name"]
        verbose_name = _("kontaktperson")
        verbose_name_plural = _("kontaktlista")
        constraints = [models.UniqueConstraint(fields=["email"], name="district_contact_unique_email")]

    def __str__(self) -> str:
        return f"{self.name} ({self.district})"


class DistrictContactImport(TimeStampedModel):
    """An uploaded contact list waiting for the coordinator's confirmation; nothing reaches the
    contact list before that. rows holds the parsed rows with their errors."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField(max_length=200)
    rows = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def valid_rows(self) -> list[dict]:
        return [row for row in self.rows if not row["errors"]]

    @property
    def invalid_rows(self) -> list[dict]:
        return [row for row in self.rows if row["errors"]]


class InformationMeeting(TimeStampedModel):
    """A breakfast information meeting (frukostmöte), three a year (IOP 3.1.2)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="information_meetings")
    starts_at = models.DateTimeField(_("börjar"))
    location = models.CharField(_("plats"), max_length=200)
    topic = models.CharField(_("tema"), max_length=200, blank=True)
    invitations_sent_at = models.DateTimeField(_("inbjudan skickad"), null=True, blank=True)
    held_at = models.DateTimeField(_("genomfört"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("frukostmöte")
        verbose_name_plural = _("frukostmöten")

    def __str__(self) -> str:
        return f"{_('Frukostmöte')} {self.starts_at:%Y-%m-%d}"


class InformationInvitation(models.Model):
    """One invitation mail to one contact; the row makes sending safe to repeat."""

    meeting = models.ForeignKey(InformationMeeting, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(DistrictContact, on_delete=models.CASCADE, related_name="invitations")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "contact"], name="information_invitation_once_per_contact")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} → {self.contact}"


class InformationSignup(TimeStampedModel):
    meeting = models.ForeignKey(InformationMeeting, on_delete=models.CASCADE, related_name="signups")
    contact = models.ForeignKey(DistrictContact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(_("namn"), max_length=200)
    email = models.EmailField(_("e-post"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    attended = models.BooleanField(_("deltog"), null=True)

    class Meta:
        ordering = ["meeting", "name"]
        verbose_name = _("anmälan till frukostmöte")
        verbose_name_plural = _("anmälningar till frukostmöte")
        constraints = [models.UniqueConstraint(fields=["meeting", "email"], name="information_signup_once_per_email")]

    def __str__(self) -> str:
        return self.name


class FollowUpReport(TimeStampedModel):
    """The follow-up report (IOP 4.2) for a term or a year, made as a PDF in the background."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar")
        RUNNING = "running", _("Skapas")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckades")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="followup_reports")
    year = models.PositiveSmallIntegerField(_("år"))
    term = models.CharField(_("termin"), max_length=10, choices=Term.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(upload_to="followup/reports/", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("uppföljningsrapport")
        verbose_name_plural = _("uppföljningsrapporter")

    def __str__(self) -> str:
        return f"{_('Uppföljningsrapport')} {self.period_label}"

    @property
    def period_label(self) -> str:
        return f"{Term(self.term).label} {self.year}" if self.term else str(self.year)
