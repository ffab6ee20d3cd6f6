"""Support groups (IOP 3.1.2): weekly groups of 8×2 h and support weekends, their meetings and
the children placed in them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from partnership import history
from partnership.models import Agreement, District, TargetGroup, TimeStampedModel
from referrals.models import Referral


class GroupFormat(models.TextChoices):
    WEEKLY = "weekly", _("Veckovis stödgrupp")
    WEEKEND = "weekend", _("Stödhelg")


class GroupStatus(models.TextChoices):
    PLANNED = "planned", _("Planerad")
    OPEN = "open", _("Öppen för placering")
    RUNNING = "running", _("Pågår")
    CLOSED = "closed", _("Avslutad")
    CANCELLED = "cancelled", _("Inställd")


class Audience(models.TextChoices):
    CHILDREN = "children", _("Barngrupp")
    YOUNG_PEOPLE = "young_people", _("Ungdomsgrupp")
    PARENTS = "parents", _("Föräldragrupp")


# A group in one of these still has meetings ahead of it (closed and cancelled ones do not).
STATUSES_WITH_MEETINGS_AHEAD = [GroupStatus.PLANNED, GroupStatus.OPEN, GroupStatus.RUNNING]


class Premises(TimeStampedModel):
    """A room at Bris where groups meet (IOP 3.1.2: all activities in Bris' premises)."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    address = models.CharField(_("adress"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lokal")
        verbose_name_plural = _("lokaler")

    def __str__(self) -> str:
        return self.name


class Method(TimeStampedModel):
    """A group programme of the method library (issue 16), e.g. CAP (Children Are People too) for
    children of parents with substance misuse: who it is for, its ages and format, and its manual
    in versions (MethodManual). A group names the method it follows (SupportGroup.method)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("namn"), max_length=200, unique=True)
    target_group = models.ForeignKey(
        TargetGroup, on_delete=models.PROTECT, related_name="methods", verbose_name=_("målgrupp")
    )
    min_age = models.PositiveSmallIntegerField(_("lägsta ålder"))
    max_age = models.PositiveSmallIntegerField(_("högsta ålder"))
    format = models.CharField(
        _("upplägg"), max_length=200, help_text=_("Till exempel: 10 träffar om 1,5 timmar, en i veckan.")
    )
    description = models.TextField(_("beskrivning"), blank=True)
    origin = models.CharField(_("ursprung"), max_length=200, blank=True)
    # A method is retired, never deleted: the groups that followed it keep naming it, and the
    # comparison of outcomes by method keeps its figures. A retired method is offered to no group.
    retired_on = models.DateField(_("avvecklad"), null=True, blank=True)

    class Meta:
        ordering = ["target_group__name", "name"]
        verbose_name = _("metod")
        verbose_name_plural = _("metodbibliotek")
        constraints = [models.CheckConstraint(condition=Q(min_age__lte=F("max_age")), name="method_age_range_valid")]

    def __str__(self) -> str:
        return self.name


def method_manual_path(instance, filename: str) -> str:
    # A random name: what the file is called on the uploader's disk never reaches the storage.
    return f"methods/{uuid.uuid4().hex}"


class MethodManual(TimeStampedModel):
    """One version of a method's manual. A new version is a new row; the old ones stay."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="manuals")
    version = models.CharField(_("version"), max_length=20)
    published_on = models.DateField(_("utgiven"))
    document = models.FileField(_("manual"), upload_to=method_manual_path)
    changes = models.TextField(_("nytt i versionen"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["method", "-published_on", "-pk"]
        verbose_name = _("manual")
        verbose_name_plural = _("manualer")
        constraints = [models.UniqueConstraint(fields=["method", "version"], name="method_manual_version_once")]

    def __str__(self) -> str:
        return f"{self.method} {self.version}"


class SupportGroup(TimeStampedModel):
    """A group, or a subgroup of a support weekend (parent set), each holding 5–8 children."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="groups")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subgroups",
        verbose_name=_("stödhelg"),
        db_index=False,  # the partial index below: only a split weekend's subgroups have a parent
    )
    name = models.CharField(_("namn"), max_length=200)
    format = models.CharField(_("form"), max_length=20, choices=GroupFormat.choices)
    status = models.CharField(_("status"), max_length=20, choices=GroupStatus.choices, default=GroupStatus.PLANNED)
    min_age = models.PositiveSmallIntegerField(_("lägsta ålder"))
    max_age = models.PositiveSmallIntegerField(_("högsta ålder"))
    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("lokal"))
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="led_groups", verbose_name=_("gruppledare"))
    starts_on = models.DateField(_("första träffen"), null=True, blank=True)
    ends_on = models.DateField(_("sista träffen"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    # Coordination (issue 15): who the group is for, where, and what the public page says about it.
    audience = models.CharField(_("för vem"), max_length=20, choices=Audience.choices, default=Audience.CHILDREN)
    target_group = models.ForeignKey(
        TargetGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("målgrupp"),
        help_text=_("Tom: överenskommelsens målgrupp."),
    )
    parallel_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parallel_groups",
        verbose_name=_("parallell med (barngruppen)"),
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("område")
    )
    # The method library (issue 16): the programme the group follows, if any.
    method = models.ForeignKey(
        Method, on_delete=models.PROTECT, null=True, blank=True, related_name="groups", verbose_name=_("metod")
    )
    is_published = models.BooleanField(_("visas på den öppna sidan"), default=False)
    public_description = models.TextField(_("beskrivning för allmänheten"), blank=True)
    how_to_join = models.TextField(_("så anmäler man (för allmänheten)"), blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        indexes = [
            models.Index(F("starts_on").desc(), F("id").desc(), name="group_newest"),
            # The follow-up report's groups of a period: those ending in it (or still running).
            models.Index(fields=["ends_on"], name="group_ends_on"),
            models.Index(fields=["parent"], condition=Q(parent__isnull=False), name="group_subgroups"),
            # Open groups (the waiting list's links) and this year's groups (the home pages).
            models.Index(fields=["status", "starts_on"], name="group_status_starts_on"),
            # The public page: published planned, open and running groups.
            models.Index(
                fields=["starts_on", "id"], condition=Q(is_published=True, parent__isnull=True), name="group_published"
            ),
            # The city's groups counted per agreement, from the index alone (coordination.selectors.city_overview).
            models.Index(
                fields=["agreement", "is_published", "audience"],
                condition=Q(parent__isnull=True),
                name="group_counts_per_agreement",
            ),
        ]
        verbose_name = _("stödgrupp")
        verbose_name_plural = _("stödgrupper")
        constraints = [
            models.CheckConstraint(condition=Q(min_age__lte=F("max_age")), name="group_age_band_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_target_group_id(self):
        return self.target_group_id or self.agreement.target_group_id


class Placement(TimeStampedModel):
    """A child's place in a group. A removed placement stays as history (removed_at set)."""

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="placements")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="placements")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    age_override_reason = models.TextField(_("motivering för avsteg från gruppens ålder"), blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removal_reason = models.TextField(_("orsak"), blank=True)
    # The foster family said yes to an email the day before each meeting (recorded by Bris).
    family_reminders_since = models.DateTimeField(_("påminnelser till familjehemmet sedan"), null=True, blank=True)
    family_reminders_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["group", "created_at"]
        indexes = [
            # The children of a set of groups (the home pages' yearly count, reports), read from
            # the index alone.
            models.Index(
                fields=["group", "referral"], condition=Q(removed_at__isnull=True), name="placement_current_in_group"
            )
        ]
        verbose_name = _("placering")
        verbose_name_plural = _("placeringar")
        constraints = [
            # A child holds at most one current place anywhere.
            models.UniqueConstraint(
                fields=["referral"], condition=Q(removed_at__isnull=True), name="placement_one_current_per_child"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral} i {self.group}"


class Meeting(TimeStampedModel):
    """One meeting of a weekly group (2 h) or one full day of a support weekend."""

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("börjar"))
    ends_at = models.DateTimeField(_("slutar"))
    is_follow_up = models.BooleanField(_("uppföljningsträff"), default=False)
    held_confirmed_at = models.DateTimeField(_("genomförd"), null=True, blank=True)
    held_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["group", "starts_at"]
        indexes = [models.Index(fields=["starts_at"], name="meeting_starts_at")]
        verbose_name = _("träff")
        verbose_name_plural = _("träffar")
        constraints = [models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="meeting_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.group} {self.starts_at:%Y-%m-%d %H:%M}"


class FamilyReminder(models.Model):
    """One email to a foster family about one meeting, recorded before it is sent so that a rerun
    never mails twice. Holds no address: that is read from the child's identity when sending, and
    goes with it when the data is purged."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Väntar")
        SENT = "sent", _("Skickad")
        SKIPPED = "skipped", _("Inte skickad")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="family_reminders")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="family_reminders")
    outcome = models.CharField(_("utfall"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(_("hanterad"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "placement"]
        verbose_name = _("påminnelse till familjehem")
        verbose_name_plural = _("påminnelser till familjehem")
        constraints = [
            models.UniqueConstraint(fields=["placement", "meeting"], name="family_reminder_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.placement} {self.meeting}"


class VisitKind(models.TextChoices):
    HOME = "home", _("Hembesök")
    PREMISES = "premises", _("Besök hos Bris")
    EXCEPTION = "exception", _("Undantag (skriftligt motiverat)")


class PreGroupVisit(TimeStampedModel):
    """The one contact before the group (IOP 3.1.2): a home visit, a visit to Bris' premises,
    or a written exception. Planned with date and leader; done once its outcome is recorded."""

    placement = models.OneToOneField(Placement, on_delete=models.CASCADE, related_name="pre_group_visit")
    kind = models.CharField(_("typ av besök"), max_length=20, choices=VisitKind.choices)
    visit_date = models.DateField(_("datum"), null=True, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pre_group_visits",
        verbose_name=_("gruppledare"),
    )
    outcome = models.TextField(_("utfall"), blank=True)
    exception_reason = models.TextField(_("motivering för undantag"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("besök före gruppstart")
        verbose_name_plural = _("besök före gruppstart")
        constraints = [
            # The written reason for an exception is required by the service, not here: purging
            # (gallring) empties every free-text field about the child and must still save.
            models.CheckConstraint(
                condition=Q(kind="exception") | (Q(visit_date__isnull=False) & Q(leader__isnull=False)),
                name="pre_group_visit_planned_or_excepted",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.placement}"

    @property
    def is_done(self) -> bool:
        return self.kind == VisitKind.EXCEPTION or bool(self.outcome.strip())


class AbsenceReason(models.TextChoices):
    ILL = "ill", _("Sjuk")
    NOTIFIED = "notified", _("Anmäld frånvaro, annan orsak")
    TRAVEL = "travel", _("Resa eller transport fungerade inte")
    UNKNOWN = "unknown", _("Okänd orsak")


class Attendance(TimeStampedModel):
    """Whether a placed child came to one meeting, and if not, why."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="attendances")
    present = models.BooleanField(_("närvarande"))
    absence_reason = models.CharField(
        _("orsak till frånvaro"), max_length=20, choices=AbsenceReason.choices, blank=True
    )
    # A TextField so that purging, which empties the free text of group records, clears it too.
    note = models.TextField(_("kommentar"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting", "placement"]
        verbose_name = _("närvaro")
        verbose_name_plural = _("närvaro")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "placement"], name="attendance_once_per_meeting_and_child"),
            models.CheckConstraint(
                condition=Q(present=True, absence_reason="") | Q(present=False),
                name="attendance_reason_only_when_absent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement} {self.meeting}"


class CalendarToken(TimeStampedModel):
    """The secret in a leader's iCalendar subscription URL; renewing it revokes the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("kalenderlänk")
        verbose_name_plural = _("kalenderlänkar")

    def __str__(self) -> str:
        return f"{self.user}"


# A group's history (partnership/history.py): who planned, opened, started, cancelled (with the
# reason) or closed it, and when.
history.register(SupportGroup, fields=["status"])
# A meeting's history: who moved it, and who confirmed it was held.
history.register(Meeting, fields=["starts_at", "ends_at", "held_confirmed_at"])
# A method's history: who changed what it is (its name, area, ages, format, description), and who
# retired or reinstated it. A manual version is a new row, never changed (MethodManual).
history.register(
    Method, fields=["name", "target_group", "min_age", "max_age", "format", "description", "origin", "retired_on"]
)
