"""State changes of the coordination (issue 15): setting up a provider and inviting its first
account, interests from the public form, taking them up, a provider's own participants and the
parents of a parents' group, publishing a group, purging."""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from groups.models import Audience, GroupStatus, Meeting, SupportGroup
from groups.rules import group_action_refusal, visit_fields_checked
from groups.schedule import STOCKHOLM
from groups.services import meeting_confirm_held
from partnership import history
from partnership.jobs import job_request
from partnership.models import Agreement, District, Membership, Organisation, Role, TargetGroup
from partnership.services import membership_change_log, two_factor_enrolment_code_issue
from referrals.services import interest_registration_record

from .models import (
    ParentParticipant,
    Participant,
    ParticipantAttendance,
    ParticipantVisit,
    PublicInterest,
    StaffInvitation,
)
from .public import PUBLIC_STATUSES, public_cache_clear
from .selectors import provider_target_group_ids

logger = logging.getLogger(__name__)

STAFF_INVITATION_JOB = "coordination.staff_invitation_mail"
# The kinds of body the coordinator sets up as providers; the city's own administration is the
# public party, never a provider.
PROVIDER_TYPES = [
    Organisation.Type.NGO,
    Organisation.Type.DISTRICT,
    Organisation.Type.REGION,
    Organisation.Type.OTHER,
]


# --- Setting up a provider -----------------------------------------------------------------------


@transaction.atomic
@history.records_actor("by")
def provider_create(
    *,
    name: str,
    short_name: str,
    organisation_type: str,
    district: District | None,
    target_groups: Iterable[TargetGroup],
    website: str = "",
    public_email: str = "",
    public_phone: str = "",
    by: User,
) -> Organisation:
    """A new provider: its name, type, the target groups it serves and its public contacts. Its
    arrangement is set up next, in finance (finance.services.agreement_save), and its first
    account with staff_invite."""
    name, short_name = name.strip(), short_name.strip()
    if not name:
        raise ValidationError({"name": _("Ange organisationens namn.")})
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Det finns redan en organisation som heter %(name)s.") % {"name": name}})
    if organisation_type not in PROVIDER_TYPES:
        raise ValidationError({"organisation_type": _("Välj vilken typ av organisation det är.")})
    if organisation_type == Organisation.Type.DISTRICT:
        if district is None:
            raise ValidationError({"district": _("Välj vilken stadsdel förvaltningen hör till.")})
        taken = Organisation.objects.filter(district=district).first()
        if taken is not None:
            raise ValidationError(
                {
                    "district": _("%(district)s har redan en organisation: %(org)s.")
                    % {"district": district, "org": taken}
                }
            )
    elif district is not None:
        raise ValidationError({"district": _("Stadsdel anges bara för en stadsdelsförvaltning.")})
    target_groups = list(target_groups)
    if not target_groups:
        raise ValidationError({"target_groups": _("Välj minst en målgrupp.")})
    organisation = Organisation.objects.create(
        name=name,
        short_name=short_name,
        kind=Organisation.Kind.NONPROFIT if organisation_type == Organisation.Type.NGO else Organisation.Kind.PUBLIC,
        organisation_type=organisation_type,
        district=district,
        website=website.strip(),
        public_email=public_email.strip(),
        public_phone=public_phone.strip(),
    )
    organisation.target_groups.set(target_groups)
    logger.info("Provider %s set up by user %s", organisation.public_id, by.pk)
    return organisation


@transaction.atomic
@history.records_actor("by")
def provider_update(
    *,
    provider: Organisation,
    name: str,
    short_name: str,
    target_groups: Iterable[TargetGroup],
    website: str = "",
    public_email: str = "",
    public_phone: str = "",
    by: User,
) -> Organisation:
    """The coordinator corrects a provider's name, target groups and public contacts. Its type and
    district stay as set up (the database's rules on districts lean on them). A target group is not
    taken away while the provider's published groups still show under it."""
    provider = Organisation.objects.select_for_update().get(pk=provider.pk)
    name, short_name = name.strip(), short_name.strip()
    if not name:
        raise ValidationError({"name": _("Ange organisationens namn.")})
    if Organisation.objects.filter(name__iexact=name).exclude(pk=provider.pk).exists():
        raise ValidationError({"name": _("Det finns redan en organisation som heter %(name)s.") % {"name": name}})
    target_groups = list(target_groups)
    if not target_groups:
        raise ValidationError({"target_groups": _("Välj minst en målgrupp.")})
    kept = {target.pk for target in target_groups}
    still_shown = (
        SupportGroup.objects.filter(
            agreement__provider=provider, is_published=True, status__in=PUBLIC_STATUSES, target_group__isnull=False
        )
        .exclude(target_group__in=kept)
        .exclude(target_group=F("agreement__target_group"))
        .select_related("target_group")
        .first()
    )
    if still_shown is not None:
        raise ValidationError(
            {
                "target_groups": _("%(group)s visas på den öppna sidan under %(target)s: ändra gruppen först.")
                % {"group": still_shown.name, "target": still_shown.target_group}
            }
        )
    provider.name, provider.short_name = name, short_name
    provider.website, provider.public_email = website.strip(), public_email.strip()
    provider.public_phone = public_phone.strip()
    provider.save(update_fields=["name", "short_name", "website", "public_email", "public_phone", "updated_at"])
    provider.target_groups.set(target_groups)
    transaction.on_commit(public_cache_clear)
    return provider


@dataclass(frozen=True)
class StaffInvited:
    invitation: StaffInvitation
    # Shown once to the coordinator, who gives it to the invitee another way than the mail.
    enrolment_code: str


@transaction.atomic
def staff_invite(
    *,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    email: str,
    username: str,
    base_url: str,
    by: User,
) -> StaffInvited:
    """The provider's first account, its operations manager: no password until its owner chooses
    one through the mailed link, and a one-time enrolment code for the authenticator, which the
    coordinator passes on by phone or in person. Both halves are needed to sign in, and they
    travel apart: whoever reads the mail lacks the code, whoever hears the code lacks the link.

    Only a provider nobody works for yet (coordination.rules): the coordinator never adds an
    account to a provider that holds children's data."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.organisation_type == Organisation.Type.CITY:
        raise ValidationError(_("Samordnaren bjuder bara in personal till utförare."))
    if organisation.memberships.exists():
        raise ValidationError(
            _("%(org)s har redan personal. Fler konton lägger Gruppstöds administratör upp.") % {"org": organisation}
        )
    first_name, last_name, username = first_name.strip(), last_name.strip(), username.strip()
    email = email.strip().lower()
    if not first_name:
        raise ValidationError({"first_name": _("Ange förnamnet.")})
    if not last_name:
        raise ValidationError({"last_name": _("Ange efternamnet.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Användarnamnet %(name)s är upptaget.") % {"name": username}})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Det finns redan ett konto med den e-postadressen.")})
    try:
        with transaction.atomic():
            # No password: an unusable one until its owner chooses one through the link.
            user = User.objects.create_user(
                username=username, email=email, password=None, first_name=first_name, last_name=last_name
            )
    except IntegrityError as error:  # the same username, registered a moment ago
        raise ValidationError({"username": _("Användarnamnet %(name)s är upptaget.") % {"name": username}}) from error
    membership = Membership.objects.create(user=user, organisation=organisation, role=Role.OPERATIONS_MANAGER)
    membership_change_log(membership=membership, by=by)
    invitation = StaffInvitation.objects.create(user=user, organisation=organisation, invited_by=by)
    code = two_factor_enrolment_code_issue(user=user, by=by)
    _invitation_mail_request(invitation=invitation, base_url=base_url, by=by)
    return StaffInvited(invitation=invitation, enrolment_code=code)


def _invitation_mail_request(*, invitation: StaffInvitation, base_url: str, by: User) -> None:
    # The job carries ids and the site's address; the token is made when the mail is sent.
    job_request(
        kind=STAFF_INVITATION_JOB,
        key=f"{STAFF_INVITATION_JOB}:{invitation.pk}",
        arguments={"invitation_id": invitation.pk, "base_url": base_url},
        requested_by=by,
    )


@transaction.atomic
def staff_invitation_resend(*, invitation: StaffInvitation, base_url: str, by: User) -> StaffInvitation:
    """Mail the password link again (the first one expired, or never arrived); a new token."""
    invitation = StaffInvitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.user.has_usable_password():
        raise ValidationError(_("%(name)s har redan valt lösenord.") % {"name": invitation.user.get_full_name()})
    if not invitation.user.is_active:
        raise ValidationError(_("Kontot är avstängt."))
    invitation.mail_sent_at = None
    invitation.save(update_fields=["mail_sent_at", "updated_at"])
    _invitation_mail_request(invitation=invitation, base_url=base_url, by=by)
    logger.info("Staff invitation %s sent again by user %s", invitation.public_id, by.pk)
    return invitation


@transaction.atomic
def staff_invitation_enrolment_code_issue(*, invitation: StaffInvitation, by: User) -> str:
    """A new one-time enrolment code for an invitee who has not enrolled an authenticator yet
    (the earlier code stops working); logged in the access log like the admin's."""
    user = invitation.user
    if not user.is_active:
        raise ValidationError(_("Kontot är avstängt."))
    if any(devices_for_user(user, confirmed=True)):
        raise ValidationError(_("%(name)s har redan en autentiseringsapp.") % {"name": user.get_full_name()})
    return two_factor_enrolment_code_issue(user=user, by=by)


def providers_for(*, target_group: TargetGroup, age: int, district: District) -> list[Organisation]:
    """The providers running a published planned, open or running group of that target group for
    that age, in that district or for the whole city."""
    groups = SupportGroup.objects.filter(
        is_published=True, parent__isnull=True, status__in=PUBLIC_STATUSES, min_age__lte=age, max_age__gte=age
    ).filter(
        Q(target_group=target_group) | Q(target_group__isnull=True, agreement__target_group=target_group),
        Q(district=district) | Q(district__isnull=True),
    )
    ids = groups.values_list("agreement__provider_id", flat=True).distinct()
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


@transaction.atomic
def public_interest_submit(
    *,
    sender_role: str,
    child_first_name: str,
    child_age: int,
    district: District,
    target_group: TargetGroup,
    contact_name: str,
    contact: str,
    may_tell_social_services: bool,
) -> PublicInterest:
    """Store an interest (encrypted) and route it to the providers whose groups fit."""
    if sender_role == "young_person" and child_age < 15:
        raise ValidationError(
            {"child_age": _("En ung person som anmäler sig själv ska vara 15 år eller äldre.")}, code="too_young"
        )
    interest = PublicInterest.objects.create(
        sender_role=sender_role,
        child_first_name=child_first_name.strip(),
        child_age=child_age,
        district=district,
        target_group=target_group,
        contact_name=contact_name.strip(),
        contact=contact.strip(),
        may_tell_social_services=may_tell_social_services,
        lapses_on=timezone.localdate() + datetime.timedelta(days=settings.INTEREST_LAPSE_DAYS),
    )
    interest.routed_to.set(providers_for(target_group=target_group, age=child_age, district=district))
    return interest


@transaction.atomic
def public_interest_take_up(*, interest: PublicInterest, by: User) -> PublicInterest:
    """The user's provider takes the interest up; nobody else can any more. For the IOP the
    interest becomes an interest registration for the district to confirm with a referral (today's
    flow), which needs the family's yes to telling social services."""
    interest = PublicInterest.objects.select_for_update().get(pk=interest.pk)
    if interest.status != PublicInterest.Status.NEW:
        raise ValidationError(_("Intresseanmälan är redan tagen om hand."), code="taken")
    provider = by.membership.organisation
    agreement = provider_agreement(provider)
    if agreement is not None and agreement.is_iop:
        if not interest.may_tell_social_services:
            raise ValidationError(
                _(
                    "Familjen har inte sagt ja till att socialtjänsten får veta. En anmälan till IOP:t går "
                    "genom socialtjänsten: kontakta familjen först."
                ),
                code="no_social_services",
            )
        today = timezone.localdate()
        interest_registration_record(
            recorded_by=by,
            agreement=agreement,
            district=interest.district,
            child_first_name=interest.child_first_name,
            child_birth_year=today.year - interest.child_age,
            foster_contact_person=interest.contact_name[:200],
            foster_phone=interest.contact[:50],
            message=_("Från formuläret på den öppna sidan, kvitto %(receipt)s.") % {"receipt": interest.receipt_number},
        )
    interest.status = PublicInterest.Status.TAKEN_UP
    interest.taken_up_by = provider
    interest.taken_up_at = timezone.now()
    interest.save(update_fields=["status", "taken_up_by", "taken_up_at", "updated_at"])
    return interest


def provider_agreement(provider: Organisation) -> Agreement | None:
    today = timezone.localdate()
    agreements = Agreement.objects.filter(provider=provider)
    return agreements.filter(starts_on__lte=today, ends_on__gte=today).first() or agreements.first()


def _check_room(group: SupportGroup) -> None:
    if group.status not in (GroupStatus.PLANNED, GroupStatus.OPEN, GroupStatus.RUNNING):
        raise ValidationError({"group": _("Gruppen tar inte emot fler.")}, code="ended")
    taken = (
        group.placements.filter(removed_at__isnull=True).count()
        + group.participants.filter(removed_at__isnull=True, purged_at__isnull=True).count()
        + group.parents.filter(purged_at__isnull=True).count()
    )
    if taken >= group.agreement.max_group_size:
        raise ValidationError({"group": _("Gruppen är full.")}, code="full")


@transaction.atomic
def participant_place(
    *,
    group: SupportGroup,
    interest: PublicInterest | None,
    child_first_name: str,
    child_age: int,
    custodian_name: str,
    custodian_contact: str,
    consent_on: datetime.date,
    consent_how: str,
    by: User,
) -> Participant:
    """A provider outside the IOP records the custodian's consent and places the child."""
    group = SupportGroup.objects.select_for_update(of=("self",)).select_related("agreement").get(pk=group.pk)
    if group.agreement.is_iop:
        raise ValidationError(_("Barn i IOP:ts grupper placeras från väntelistan."), code="iop")
    if group.audience == Audience.PARENTS:
        raise ValidationError({"group": _("Det här är en föräldragrupp.")}, code="parents")
    if not group.min_age <= child_age <= group.max_age:
        raise ValidationError(
            {"child_age": _("Gruppen är för %(low)s–%(high)s år.") % {"low": group.min_age, "high": group.max_age}},
            code="age",
        )
    if consent_on > timezone.localdate():
        raise ValidationError({"consent_on": _("Samtycket kan inte vara lämnat i framtiden.")}, code="future")
    _check_room(group)
    if interest is not None:
        interest = PublicInterest.objects.select_for_update().get(pk=interest.pk)
        if interest.taken_up_by_id != by.membership.organisation_id:
            raise ValidationError(_("Ta om hand intresseanmälan först."), code="not_taken")
        if Participant.objects.filter(interest=interest).exists():
            raise ValidationError(_("Barnet är redan placerat."), code="placed")
    participant = Participant.objects.create(
        group=group,
        interest=interest,
        child_first_name=child_first_name.strip(),
        child_age=child_age,
        custodian_name=custodian_name.strip(),
        custodian_contact=custodian_contact.strip(),
        consent_on=consent_on,
        consent_how=consent_how,
        recorded_by=by,
    )
    transaction.on_commit(public_cache_clear)
    return participant


@transaction.atomic
def parent_register(
    *,
    group: SupportGroup,
    name: str,
    contact: str,
    accompanies: SupportGroup | None,
    consent_on: datetime.date,
    by: User,
) -> ParentParticipant:
    """A parent joins a parents' group on their own consent."""
    group = SupportGroup.objects.select_for_update(of=("self",)).select_related("agreement").get(pk=group.pk)
    if group.audience != Audience.PARENTS:
        raise ValidationError(_("Föräldrar registreras bara i en föräldragrupp."), code="not_parents")
    if accompanies is not None and accompanies.agreement.provider_id != group.agreement.provider_id:
        raise ValidationError({"accompanies": _("Välj en av er egna barngrupper.")}, code="accompanies")
    if consent_on > timezone.localdate():
        raise ValidationError({"consent_on": _("Samtycket kan inte vara lämnat i framtiden.")}, code="future")
    _check_room(group)
    parent = ParentParticipant.objects.create(
        group=group,
        name=name.strip(),
        contact=contact.strip(),
        accompanies=accompanies or group.parallel_to,
        consent_on=consent_on,
        recorded_by=by,
    )
    transaction.on_commit(public_cache_clear)
    return parent


PUBLICATION_FIELDS = [
    "audience",
    "target_group",
    "parallel_to",
    "district",
    "is_published",
    "public_description",
    "how_to_join",
]


@transaction.atomic
def group_publication_update(*, group: SupportGroup, by: User, **fields: Any) -> SupportGroup:
    """What the public page says about a group, and whether it shows it."""
    target_group = fields.get("target_group")
    if target_group is not None and target_group.pk not in provider_target_group_ids(group.agreement):
        raise ValidationError(
            {
                "target_group": _(
                    "%(provider)s har inte den målgruppen. Samordnaren lägger till målgrupper för verksamheten."
                )
                % {"provider": group.agreement.provider}
            }
        )
    parallel = fields.get("parallel_to")
    if parallel is not None:
        if fields.get("audience") != Audience.PARENTS:
            raise ValidationError({"parallel_to": _("Bara en föräldragrupp går parallellt med en barngrupp.")})
        if parallel.pk == group.pk or parallel.agreement.provider_id != group.agreement.provider_id:
            raise ValidationError({"parallel_to": _("Välj en av er egna barngrupper.")})
        if parallel.audience == Audience.PARENTS:
            raise ValidationError({"parallel_to": _("Välj en barn- eller ungdomsgrupp.")})
    for name in PUBLICATION_FIELDS:
        setattr(group, name, fields.get(name, getattr(group, name)))
    group.save(update_fields=[*PUBLICATION_FIELDS, "updated_at"])
    logger.info("Group %s publication set by user %s (published=%s)", group.public_id, by.pk, group.is_published)
    transaction.on_commit(public_cache_clear)
    return group


# --- The contact before the group ----------------------------------------------------------------


@transaction.atomic
def participant_visit_record(
    *,
    participant: Participant,
    recorded_by: User,
    kind: str,
    visit_date: datetime.date | None = None,
    leader: User | None = None,
    outcome: str = "",
    exception_reason: str = "",
) -> ParticipantVisit:
    """Plan or record a participant's contact before the group, or a written exception, with the
    rules of an IOP placement's (groups.services.pre_group_visit_record). The provider's own rules
    decide whether a group starts without one; the IOP's (3.1.2) are not theirs."""
    group = SupportGroup.objects.select_for_update(of=("self",)).get(pk=participant.group_id)
    if participant.removed_at is not None or participant.purged_at is not None:
        raise ValidationError(_("Deltagaren finns inte i gruppen."), code="removed")
    refusal = group_action_refusal(group, "record_visit", is_split=group.subgroups.exists())
    if refusal is not None:
        raise ValidationError(refusal, code="action_not_allowed")
    fields = visit_fields_checked(
        kind=kind,
        visit_date=visit_date,
        leader=leader,
        outcome=outcome,
        exception_reason=exception_reason,
        today=timezone.localdate(),
    )
    if (
        fields["leader"] is not None
        and not Membership.objects.filter(
            user=fields["leader"],
            organisation_id=group.agreement.provider_id,
            role__in=(Role.GROUP_LEADER, Role.OPERATIONS_MANAGER),
        ).exists()
    ):
        raise ValidationError({"leader": _("Välj en av verksamhetens gruppledare.")}, code="leader_elsewhere")
    visit, _created = ParticipantVisit.objects.update_or_create(
        participant=participant, defaults={**fields, "recorded_by": recorded_by}
    )
    return visit


# --- Attendance of a provider's participants -------------------------------------------------


@dataclass(frozen=True)
class ParticipantAttendanceEntry:
    """One row of a meeting's attendance: a child taken in on consent, or a parents' group's parent."""

    participant: Participant | None = None
    parent: ParentParticipant | None = None
    present: bool = True
    absence_reason: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        """The form prefix of the row, so that a refusal lands beside its own field."""
        if self.participant is not None:
            return f"c{self.participant.pk}"
        return f"f{self.parent.pk if self.parent is not None else ''}"


@transaction.atomic
@history.records_actor("by")
def participant_attendance_record(
    *, meeting: Meeting, entries: list[ParticipantAttendanceEntry], by: User
) -> list[ParticipantAttendance]:
    """Record who of a provider's participants came to a meeting, with the rules of an IOP
    placement's attendance (groups.services.attendance_record): the group is running, the meeting
    has taken place, an absence has a reason. All rows or none: one refusal saves nothing."""
    group = SupportGroup.objects.select_for_update(of=("self",)).get(pk=meeting.group_id)
    refusal = group_action_refusal(group, "take_attendance", is_split=group.subgroups.exists())
    if refusal is not None:
        raise ValidationError(refusal, code="action_not_allowed")
    if meeting.starts_at.astimezone(STOCKHOLM).date() > timezone.localdate():
        raise ValidationError(_("Träffen har inte ägt rum än."), code="future")
    holders = {group.pk, *group.subgroups.values_list("pk", flat=True)}
    records = []
    for entry in entries:
        if (entry.participant is None) == (entry.parent is None):
            raise ValidationError(_("Ange ett barn eller en förälder."), code="who")
        person = entry.participant or entry.parent
        assert person is not None  # for mypy: one of the two, checked above
        gone = person.purged_at is not None or (
            entry.participant is not None and entry.participant.removed_at is not None
        )
        if person.group_id not in holders or gone:
            raise ValidationError(_("Deltagaren finns inte i gruppen."), code="not_in_group")
        if not entry.present and not entry.absence_reason:
            raise ValidationError(
                {f"{entry.key}-absence_reason": _("Ange orsak till frånvaron.")}, code="absence_reason"
            )
        record, _created = ParticipantAttendance.objects.update_or_create(
            meeting=meeting,
            participant=entry.participant,
            parent=entry.parent,
            defaults={
                "present": entry.present,
                "absence_reason": "" if entry.present else entry.absence_reason,
                "note": entry.note.strip(),
                "recorded_by": by,
            },
        )
        records.append(record)
    meeting_confirm_held(meeting=meeting, by=by)
    logger.info("Attendance of %s participants recorded for meeting %s by user %s", len(records), meeting.pk, by.pk)
    return records


# --- Purging -----------------------------------------------------------------------------------


def _ended_groups(on: datetime.date) -> QuerySet[SupportGroup]:
    """Groups whose people are due for purging: closed or cancelled PURGE_GRACE_DAYS ago."""
    before = on - datetime.timedelta(days=settings.PURGE_GRACE_DAYS)
    return SupportGroup.objects.filter(
        Q(status=GroupStatus.CLOSED, closed_at__date__lte=before)
        | Q(status=GroupStatus.CANCELLED, updated_at__date__lte=before)
    )


@transaction.atomic
def coordination_purge_due(*, on: datetime.date) -> dict[str, int]:
    """Delete lapsed public interests nobody took up; blank the participants and parents of groups
    that ended PURGE_GRACE_DAYS ago (the rows stay, anonymous, for the counts)."""
    # Taken up or not, an interest goes on its day: for the IOP its contents went into an interest
    # registration (with its own purge), a placed child's into the participant.
    interests = PublicInterest.objects.filter(lapses_on__lte=on).delete()[0]
    ended = _ended_groups(on)
    now = timezone.now()
    participants = Participant.objects.filter(group__in=ended, purged_at__isnull=True).update(
        child_first_name=None, custodian_name=None, custodian_contact=None, purged_at=now
    )
    parents = ParentParticipant.objects.filter(group__in=ended, purged_at__isnull=True).update(
        name=None, contact=None, purged_at=now
    )
    # A visit keeps its kind and date; what it found, or why there was none, goes.
    ParticipantVisit.objects.filter(participant__group__in=ended).exclude(outcome="", exception_reason="").update(
        outcome="", exception_reason=""
    )
    # Their attendance keeps who came and why not, for the anonymous counts; the note is free text
    # about the person and goes with them.
    ParticipantAttendance.objects.filter(Q(participant__group__in=ended) | Q(parent__group__in=ended)).exclude(
        note=""
    ).update(note="")
    # A placed child's interest goes with the group: nothing personal outlives it.
    taken = PublicInterest.objects.filter(participant__group__in=ended).delete()[0]
    if participants or parents:
        transaction.on_commit(public_cache_clear)
    logger.info(
        "Coordination purge: %s interests, %s participants, %s parents", interests + taken, participants, parents
    )
    return {"interests": interests + taken, "participants": participants, "parents": parents}
