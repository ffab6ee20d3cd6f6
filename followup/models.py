"""Follow-up of the partnership (IOP 3.2, 4.2): evaluation instruments and answers, the
cooperation group and its meetings, district contact lists, breakfast information meetings and
the follow-up report.

These models lived in the partnership app until wave 2; their tables keep the old names
(db_table), so moving them moved no data (migration 0001_initial is state-only).
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership import history
from partnership.models import Agreement, BackgroundJob, District, Organisation, TargetGroup, TimeStampedModel


class ReferenceGroup(TimeStampedModel):
    """A reference group for one area (target group) of the city's coordination: districts, the
    voluntary sector and experts (the coordination's proposal). It meets, keeps an agenda,
    minutes and decisions with the same machinery as the cooperation group (followup/cooperation.py):
    a member and a meeting belong either to an agreement's cooperation group or to a reference group."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    target_group = models.OneToOneField(
        TargetGroup, on_delete=models.PROTECT, related_name="reference_group", verbose_name=_("område (målgrupp)")
    )
    name = models.CharField(_("namn"), max_length=200)
    purpose = models.TextField(_("uppdrag"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["target_group__name"]
        verbose_name = _("referensgrupp")
        verbose_name_plural = _("referensgrupper")

    def __str__(self) -> str:
        return self.name


# Exactly one forum: the agreement's cooperation group, or a reference group.
ONE_FORUM = Q(agreement__isnull=False, reference_group__isnull=True) | Q(
    agreement__isnull=True, reference_group__isnull=False
)


class MemberQuerySet(models.QuerySet["CooperationGroupMember"]):
    def current(self, on: datetime.date | None = None) -> "MemberQuerySet":
        """The members on that day (today by default): those whose membership has not ended."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on or timezone.localdate()))


class CooperationGroupMember(TimeStampedModel):
    """A member of the samverkansgrupp (IOP 3.2), or of a reference group.

    A membership ends, it is not deleted: the row stays with its last day (`ended_on`), so past
    meetings' decisions still name their owner and the history of the forum stays whole. A former
    member owns no decision of a later meeting and, with an account, no longer reads the forum."""

    class Representing(models.TextChoices):
        DISTRICT = "district", _("Stadsdel")
        PROVIDER = "provider", _("Utförare (idéburen sektor)")
        EXPERT = "expert", _("Sakkunnig")
        OTHER = "other", _("Annan")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="cooperation_members"
    )
    reference_group = models.ForeignKey(
        ReferenceGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="members"
    )
    # An expert may belong to no organisation the platform knows (a researcher, a clinician).
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True)
    representing = models.CharField(_("företräder"), max_length=10, choices=Representing.choices, blank=True)
    name = models.CharField(_("namn"), max_length=200)
    title = models.CharField(_("funktion"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ended_on = models.DateField(_("ledamot till och med"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        db_table = "partnership_cooperationgroupmember"
        ordering = ["agreement", "organisation", "name"]
        verbose_name = _("ledamot i samverkansgruppen")
        verbose_name_plural = _("samverkansgruppen")
        constraints = [models.CheckConstraint(condition=ONE_FORUM, name="cooperation_member_one_forum")]

    def __str__(self) -> str:
        return f"{self.name} ({self.title})"


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
        db_table = "partnership_evaluationinstrument"
        ordering = ["audience", "code", "-version"]
        verbose_name = _("utvärderingsformulär")
        verbose_name_plural = _("utvärderingsformulär")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="evaluation_instrument_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def moment_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in EvaluationMoment.choices if value in self.moments]  # type: ignore[misc]


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
        db_table = "partnership_evaluationquestion"
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
    # The method the group followed when the answers were given (for a weekend's subgroup, its
    # weekend's), kept like the format: a group's method changed later must not move its past
    # answers to another method in the comparison (issue 16).
    method = models.ForeignKey(
        "groups.Method", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("metod")
    )
    age_band = models.CharField(_("åldersgrupp"), max_length=10)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    channel = models.CharField(_("kanal"), max_length=20, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_on = models.DateField(_("besvarad"))

    class Meta:
        db_table = "partnership_evaluationanswerset"
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
        db_table = "partnership_evaluationanswer"
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
        db_table = "partnership_evaluationlink"
        ordering = ["-created_at"]
        verbose_name = _("svarslänk")
        verbose_name_plural = _("svarslänkar")

    def __str__(self) -> str:
        return f"{self.instrument} {self.expires_at:%Y-%m-%d}"


class Term(models.TextChoices):
    SPRING = "spring", _("Vårtermin")
    AUTUMN = "autumn", _("Hösttermin")


class CooperationMeeting(TimeStampedModel):
    """A meeting of the samverkansgrupp: at least once a term (IOP 3.2); or of a reference group."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="cooperation_meetings"
    )
    reference_group = models.ForeignKey(
        ReferenceGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    meeting_date = models.DateField(_("datum"))
    location = models.CharField(_("plats"), max_length=200, blank=True)
    minutes = models.TextField(_("protokoll"), blank=True)
    held_at = models.DateTimeField(_("protokoll fört"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "partnership_cooperationmeeting"
        ordering = ["-meeting_date"]
        verbose_name = _("samverkansmöte")
        verbose_name_plural = _("samverkansmöten")
        constraints = [models.CheckConstraint(condition=ONE_FORUM, name="cooperation_meeting_one_forum")]

    def __str__(self) -> str:
        if self.reference_group_id:
            return f"{self.reference_group} {self.meeting_date:%Y-%m-%d}"
        return f"{_('Samverkansmöte')} {self.meeting_date:%Y-%m-%d}"

    def forum_members(self):
        """The members of the forum on the day it met: who may own its decisions."""
        if self.reference_group_id:
            members = CooperationGroupMember.objects.filter(reference_group_id=self.reference_group_id)
        else:
            members = CooperationGroupMember.objects.filter(agreement_id=self.agreement_id)
        return members.current(on=self.meeting_date)


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
        db_table = "partnership_agendaitem"
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
        db_table = "partnership_cooperationdecision"
        ordering = ["meeting", "due_on"]
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")

    def __str__(self) -> str:
        return self.text[:60]


class ContactKind(models.TextChoices):
    """Who a contact is, for the city-wide information work of the coordination (issue 15)."""

    DISTRICT = "district", _("Stadsdel (socialtjänst)")
    SCHOOL = "school", _("Skola, förskola, elevhälsa")
    HEALTH_CARE = "health_care", _("Hälso- och sjukvård, ungdomsmottagning")
    COUNTY = "county", _("Regionen (t.ex. BUP)")
    PROVIDER = "provider", _("Verksamhet som har stödgrupper")
    OTHER = "other", _("Annan")


class DistrictContact(TimeStampedModel):
    """A person on the city's contact list (IOP 3.1.3): mailed and invited. Since the coordination
    (issue 15) not only the districts': schools, health care, the region and the providers too; a
    contact outside the districts may have no district."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        _("typ av kontakt"), max_length=20, choices=ContactKind.choices, default=ContactKind.DISTRICT
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts", verbose_name=_("stadsdel")
    )
    name = models.CharField(_("namn"), max_length=200)
    role = models.CharField(_("funktion"), max_length=200)
    email = models.EmailField(_("e-post"))
    phone = models.CharField(_("telefon"), max_length=50, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        db_table = "partnership_districtcontact"
        ordering = ["district__name", "name"]
        verbose_name = _("kontaktperson")
        verbose_name_plural = _("kontaktlista")
        constraints = [models.UniqueConstraint(fields=["email"], name="district_contact_unique_email")]

    def __str__(self) -> str:
        return f"{self.name} ({self.district or self.organisation or self.get_kind_display()})"


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
        db_table = "partnership_districtcontactimport"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def valid_rows(self) -> list[dict]:
        return [row for row in self.rows if not row["errors"]]

    @property
    def invalid_rows(self) -> list[dict]:
        return [row for row in self.rows if row["errors"]]


# Who holds an information meeting: a provider under one of its agreements (the agreement's
# provider, so it is not stored twice), or an organisation itself: the coordinator's city for the
# whole city, or a provider for its own work outside any agreement. Exactly one of the two.
ONE_HOLDER = Q(agreement__isnull=False, organiser__isnull=True) | Q(agreement__isnull=True, organiser__isnull=False)


class InformationMeeting(TimeStampedModel):
    """An information meeting about the support groups for the city's contacts. Under Bris' IOP
    these are the breakfast meetings (frukostmöten), three a year (IOP 3.1.2), counted per
    agreement; since the coordination (issue 15) the coordinator holds them for the whole city
    and any provider for its own work too (`organiser`), and those count toward no agreement."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="information_meetings",
        verbose_name=_("överenskommelse"),
    )
    organiser = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="information_meetings",
        verbose_name=_("arrangör"),
    )
    starts_at = models.DateTimeField(_("börjar"))
    location = models.CharField(_("plats"), max_length=200)
    topic = models.CharField(_("tema"), max_length=200, blank=True)
    invitations_sent_at = models.DateTimeField(_("inbjudan skickad"), null=True, blank=True)
    held_at = models.DateTimeField(_("genomfört"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "partnership_informationmeeting"
        ordering = ["-starts_at"]
        verbose_name = _("frukostmöte")
        verbose_name_plural = _("frukostmöten")
        constraints = [models.CheckConstraint(condition=ONE_HOLDER, name="information_meeting_one_holder")]
        indexes = [models.Index(fields=["organiser", "-starts_at"], name="information_meeting_organiser")]

    def __str__(self) -> str:
        return f"{_('Frukostmöte')} {self.starts_at:%Y-%m-%d}"

    @property
    def held_by(self) -> Organisation:
        """The organisation holding the meeting (select_related("agreement__provider", "organiser"))."""
        return self.agreement.provider if self.agreement_id else self.organiser  # type: ignore[union-attr,return-value]


class InformationInvitation(models.Model):
    """One invitation mail to one contact; the row makes sending safe to repeat."""

    meeting = models.ForeignKey(InformationMeeting, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(DistrictContact, on_delete=models.CASCADE, related_name="invitations")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "partnership_informationinvitation"
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
        db_table = "partnership_informationsignup"
        ordering = ["meeting", "name"]
        verbose_name = _("anmälan till frukostmöte")
        verbose_name_plural = _("anmälningar till frukostmöte")
        constraints = [models.UniqueConstraint(fields=["meeting", "email"], name="information_signup_once_per_email")]

    def __str__(self) -> str:
        return self.name


class FollowUpReport(TimeStampedModel):
    """The follow-up report (IOP 4.2) for a term or a year, made as a PDF in the background.
    Where its making stands (queued, running, done, failed) is its background job's."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="followup_reports")
    year = models.PositiveSmallIntegerField(_("år"))
    term = models.CharField(_("termin"), max_length=10, choices=Term.choices, blank=True)
    job = models.OneToOneField(BackgroundJob, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(upload_to="followup/reports/", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "partnership_followupreport"
        ordering = ["-created_at"]
        verbose_name = _("uppföljningsrapport")
        verbose_name_plural = _("uppföljningsrapporter")

    def __str__(self) -> str:
        return f"{_('Uppföljningsrapport')} {self.period_label}"

    @property
    def period_label(self) -> str:
        return f"{Term(self.term).label} {self.year}" if self.term else str(self.year)


# The cooperation group's history (partnership/history.py): who planned a meeting, wrote or
# corrected its minutes, added an agenda item, recorded a decision or marked it done, and when.
history.register(CooperationMeeting, fields=["meeting_date", "location", "minutes", "held_at"])
history.register(AgendaItem, fields=["title"])
history.register(CooperationDecision, fields=["text", "owner", "due_on", "done_at"])
# A reference group's members: who changed a member's details, and who ended the membership when.
history.register(CooperationGroupMember, fields=["name", "title", "representing", "organisation", "ended_on"])
