"""The coordination of group support across the city (issue 15): interests from the public form,
the children a provider outside the IOP takes in on a custodian's consent, and the parents of a
parents' group.

Everything about a person is encrypted at rest (partnership/encryption.py) and purged: an interest
nobody takes up after INTEREST_LAPSE_DAYS, a participant and a parent PURGE_GRACE_DAYS after their
group closed or was cancelled. What stays is anonymous (counts per group).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from followup.models import DistrictContact
from groups.models import AbsenceReason, Meeting, SupportGroup, VisitKind
from partnership.encryption import EncryptedTextField
from partnership.models import District, Organisation, TargetGroup, TimeStampedModel

# No 0/O or 1/I/L: a receipt number is read aloud over the phone.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_receipt_number() -> str:
    return "GS-" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))


class SenderRole(models.TextChoices):
    CUSTODIAN = "custodian", _("Vårdnadshavare")
    YOUNG_PERSON = "young_person", _("Ung person, 15 år eller äldre")
    PROFESSIONAL = "professional", _("Yrkesverksam (skola, vård, ungdomsmottagning, BUP)")


class PublicInterest(TimeStampedModel):
    """Someone said on the public form that a child needs a group. No identity number, ever."""

    class Status(models.TextChoices):
        NEW = "new", _("Ny")
        TAKEN_UP = "taken_up", _("Tagen om hand")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    receipt_number = models.CharField(_("kvittonummer"), max_length=12, unique=True, default=new_receipt_number)
    sender_role = models.CharField(_("vem anmäler"), max_length=20, choices=SenderRole.choices)
    child_first_name = EncryptedTextField(_("barnets förnamn"))
    child_age = models.PositiveSmallIntegerField(_("barnets ålder"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("stadsdel"))
    target_group = models.ForeignKey(
        TargetGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("vad gäller det")
    )
    contact_name = EncryptedTextField(_("den vuxnes namn"))
    contact = EncryptedTextField(_("telefon eller e-post"))
    may_tell_social_services = models.BooleanField(_("socialtjänsten får veta"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    routed_to = models.ManyToManyField(
        Organisation, related_name="public_interests", blank=True, verbose_name=_("skickad till")
    )
    taken_up_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("tagen av")
    )
    taken_up_at = models.DateTimeField(_("tagen om hand"), null=True, blank=True)
    lapses_on = models.DateField(_("gallras"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("intresseanmälan från allmänheten")
        verbose_name_plural = _("intresseanmälningar från allmänheten")
        indexes = [models.Index(fields=["status", "lapses_on"], name="public_interest_lapse")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="new") | Q(taken_up_by__isnull=False), name="public_interest_taken_up_by_someone"
            )
        ]

    def __str__(self) -> str:
        return self.receipt_number


class Participant(TimeStampedModel):
    """A child a provider outside the IOP took in from an interest, on the custodian's consent
    recorded by the provider, and placed in one of its groups. The IOP's children go through the
    districts' referrals instead."""

    class ConsentHow(models.TextChoices):
        WRITTEN = "written", _("Skriftligt")
        ORAL = "oral", _("Muntligt, antecknat")
        DIGITAL = "digital", _("Digitalt")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(SupportGroup, on_delete=models.PROTECT, related_name="participants")
    interest = models.OneToOneField(
        PublicInterest, on_delete=models.SET_NULL, null=True, blank=True, related_name="participant"
    )
    child_first_name = EncryptedTextField(_("barnets förnamn"), null=True)
    child_age = models.PositiveSmallIntegerField(_("ålder"))
    custodian_name = EncryptedTextField(_("vårdnadshavare som samtyckt"), null=True)
    custodian_contact = EncryptedTextField(_("vårdnadshavarens telefon eller e-post"), null=True, blank=True)
    consent_on = models.DateField(_("samtycke lämnat"))
    consent_how = models.CharField(_("hur"), max_length=10, choices=ConsentHow.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(_("gallrad"), null=True, blank=True)

    class Meta:
        ordering = ["group", "created_at"]
        verbose_name = _("deltagare")
        verbose_name_plural = _("deltagare")

    def __str__(self) -> str:
        return f"{self.group} #{self.pk}"


class ParentParticipant(TimeStampedModel):
    """A parent in a parents' group, registered with their own consent. Purged after the group like
    the children; the group keeps only how many took part."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(SupportGroup, on_delete=models.PROTECT, related_name="parents")
    name = EncryptedTextField(_("namn"), null=True)
    contact = EncryptedTextField(_("telefon eller e-post"), null=True)
    accompanies = models.ForeignKey(
        SupportGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accompanying_parents",
        verbose_name=_("barnets grupp"),
    )
    consent_on = models.DateField(_("eget samtycke lämnat"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purged_at = models.DateTimeField(_("gallrad"), null=True, blank=True)

    class Meta:
        ordering = ["group", "created_at"]
        verbose_name = _("förälder i föräldragrupp")
        verbose_name_plural = _("föräldrar i föräldragrupp")

    def __str__(self) -> str:
        return f"{self.group} #{self.pk}"


class ParticipantVisit(TimeStampedModel):
    """The contact with a child before the group, as groups.PreGroupVisit records it for an IOP
    placement: a home visit, a visit to the provider's premises, or a written exception; planned
    with date and leader, done once its outcome is recorded. Purged with the participant: the
    free text goes, the kind and the date stay."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="pre_group_visit")
    kind = models.CharField(_("typ av besök"), max_length=20, choices=VisitKind.choices)
    visit_date = models.DateField(_("datum"), null=True, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gruppledare"),
    )
    outcome = models.TextField(_("utfall"), blank=True)
    exception_reason = models.TextField(_("motivering för undantag"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("besök före gruppstart för deltagare")
        verbose_name_plural = _("besök före gruppstart för deltagare")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="exception") | (Q(visit_date__isnull=False) & Q(leader__isnull=False)),
                name="participant_visit_planned_or_excepted",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.participant_id}"

    @property
    def is_done(self) -> bool:
        return self.kind == VisitKind.EXCEPTION or bool(self.outcome.strip())


class ParticipantAttendance(TimeStampedModel):
    """Whether a provider's participant came to one meeting of the group, and if not, why: a child
    taken in on the custodian's consent, or a parent of a parents' group (exactly one of the two).
    The same record as groups.Attendance keeps for an IOP placement; groups knows nothing of it
    (the groups app sits below), the meeting row comes from there.

    Purged with the participant (coordination_purge_due): the note goes, the row stays as the
    anonymous count of who came."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participant_attendances")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="attendances"
    )
    parent = models.ForeignKey(
        ParentParticipant, on_delete=models.CASCADE, null=True, blank=True, related_name="attendances"
    )
    present = models.BooleanField(_("närvarande"))
    absence_reason = models.CharField(
        _("orsak till frånvaro"), max_length=20, choices=AbsenceReason.choices, blank=True
    )
    note = models.TextField(_("kommentar"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("närvaro för deltagare")
        verbose_name_plural = _("närvaro för deltagare")
        constraints = [
            models.CheckConstraint(
                condition=Q(participant__isnull=False, parent__isnull=True)
                | Q(participant__isnull=True, parent__isnull=False),
                name="participant_attendance_child_or_parent",
            ),
            models.UniqueConstraint(
                fields=["meeting", "participant"],
                condition=Q(participant__isnull=False),
                name="participant_attendance_once_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["meeting", "parent"],
                condition=Q(parent__isnull=False),
                name="parent_attendance_once_per_meeting",
            ),
            models.CheckConstraint(
                condition=Q(present=True, absence_reason="") | Q(present=False),
                name="participant_attendance_reason_only_when_absent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id or self.parent_id} {self.meeting}"


class PlannedGroupsMailing(TimeStampedModel):
    """The coordinator's "planned groups" mailing to the city's contact list, built from the public
    page's data: what a mail says is public, never about a person."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.CharField(_("ämne"), max_length=200)
    intro = models.TextField(_("inledning"), blank=True)
    contact_kind = models.CharField(_("till"), max_length=20, blank=True)
    body = models.TextField(_("innehåll"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("utskick om planerade grupper")
        verbose_name_plural = _("utskick om planerade grupper")

    def __str__(self) -> str:
        return self.subject


class PlannedGroupsMail(models.Model):
    """One contact's mail of a mailing; `sent_at` is set as it goes, so a rerun sends nothing twice."""

    mailing = models.ForeignKey(PlannedGroupsMailing, on_delete=models.CASCADE, related_name="mails")
    contact = models.ForeignKey(DistrictContact, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["mailing", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "contact"], name="planned_groups_mail_once_per_contact")
        ]

    def __str__(self) -> str:
        return f"{self.mailing} → {self.contact_id}"


class StaffInvitation(TimeStampedModel):
    """The coordinator set up a provider's first account, its operations manager (issue 15): the
    account has no password until its owner chooses one through the mailed link (Django's
    password-reset token: valid PASSWORD_RESET_TIMEOUT, once). `mail_sent_at` is set as the mail
    goes, so a rerun of the job mails nothing twice; a resend clears it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_invitation")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff_invitations", verbose_name=_("organisation")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inbjuden av")
    )
    mail_sent_at = models.DateTimeField(_("inbjudan skickad"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inbjudan till personal")
        verbose_name_plural = _("inbjudningar till personal")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"
