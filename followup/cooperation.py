"""The cooperation group (samverkansgrupp, IOP 3.2): meetings at least once a term with follow-up
as a standing agenda item (IOP 4.2), minutes, decisions; and the agreement's written amendments.

The same machinery serves the city's reference groups per area (issue 16): a meeting belongs to a
forum, an agreement's cooperation group or a reference group (CooperationMeeting.agreement or
.reference_group), and its agenda, minutes and decisions work the same for both."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership import history
from partnership.models import AMENDABLE_AGREEMENT_FIELDS, Agreement, AgreementAmendment, Role, TargetGroup

from .models import (
    AgendaItem,
    CooperationDecision,
    CooperationGroupMember,
    CooperationMeeting,
    ReferenceGroup,
    Term,
)

STANDING_ITEM_TITLE = "Uppföljning"


def term_of(day: datetime.date) -> tuple[int, str]:
    return day.year, Term.SPRING if day.month <= 6 else Term.AUTUMN


def term_bounds(year: int, term: str) -> tuple[datetime.date, datetime.date]:
    if term == Term.SPRING:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    return datetime.date(year, 7, 1), datetime.date(year, 12, 31)


def terms_between(start: datetime.date, end: datetime.date) -> list[tuple[int, str]]:
    terms = []
    year, term = term_of(start)
    while term_bounds(year, term)[0] <= end:
        terms.append((year, term))
        year, term = (year, Term.AUTUMN) if term == Term.SPRING else (year + 1, Term.SPRING)
    return terms


# --- Reads ---------------------------------------------------------------------------------------


def agreements_for(user) -> QuerySet[Agreement]:
    """The agreements the user's organisation is a party to."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return Agreement.objects.none()
    return Agreement.objects.filter(public_party_id=membership.organisation_id) | Agreement.objects.filter(
        provider_id=membership.organisation_id
    )


def reference_groups_for(user) -> QuerySet[ReferenceGroup]:
    """Every reference group for the coordinator (the city's coordination keeps them); for anyone
    else those they are a member of today (a former member no longer reads the group)."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return ReferenceGroup.objects.none()
    if membership.role == Role.COORDINATOR:
        return ReferenceGroup.objects.all()
    current = CooperationGroupMember.objects.current().filter(user=user)
    return ReferenceGroup.objects.filter(pk__in=current.values("reference_group_id"))


def get_reference_group_for(user, public_id) -> ReferenceGroup:
    try:
        return reference_groups_for(user).select_related("target_group").get(public_id=public_id)
    except (ReferenceGroup.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


def get_reference_member_for(reference_group: ReferenceGroup, public_id) -> CooperationGroupMember:
    """A member of this reference group, current or former (found through the group, which the
    caller got with get_reference_group_for); 404 for any other."""
    try:
        return reference_group.members.select_related("organisation").get(public_id=public_id)
    except (CooperationGroupMember.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


def get_meeting_for(user, public_id) -> CooperationMeeting:
    """A meeting of a forum the user takes part in: an agreement their organisation is a party
    to, or a reference group of theirs; 404 otherwise."""
    try:
        return (
            CooperationMeeting.objects.select_related("agreement", "reference_group")
            .prefetch_related(
                Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("report")),
                Prefetch("decisions", queryset=CooperationDecision.objects.select_related("owner")),
            )
            .filter(Q(agreement__in=agreements_for(user)) | Q(reference_group__in=reference_groups_for(user)))
            .get(public_id=public_id)
        )
    except (CooperationMeeting.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


def get_amendment_for(user, public_id) -> AgreementAmendment:
    try:
        return AgreementAmendment.objects.select_related("agreement").get(
            public_id=public_id, agreement__in=agreements_for(user)
        )
    except (AgreementAmendment.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


@dataclass(frozen=True)
class TermStatus:
    year: int
    term: str
    held: int
    planned: int

    @property
    def label(self) -> str:
        return f"{Term(self.term).label} {self.year}"

    @property
    def lacks_meeting(self) -> bool:
        return self.held == 0 and self.planned == 0

    @property
    def is_past(self) -> bool:
        return term_bounds(self.year, self.term)[1] < timezone.localdate()


def terms_without_meeting(agreement: Agreement, *, today: datetime.date | None = None) -> list[TermStatus]:
    """Every term of the agreement so far, with its meetings: IOP 3.2 asks for one a term.
    A past term counts only held meetings; the current term also counts a planned one."""
    today = today or timezone.localdate()
    end = min(agreement.ends_on, today)
    meetings = list(agreement.cooperation_meetings.values_list("meeting_date", "held_at"))
    statuses = []
    for year, term in terms_between(agreement.starts_on, max(end, agreement.starts_on)):
        start, stop = term_bounds(year, term)
        in_term = [(day, held_at) for day, held_at in meetings if start <= day <= stop]
        held = sum(1 for _day, held_at in in_term if held_at)
        planned = sum(1 for day, held_at in in_term if not held_at and (stop >= today and day >= today))
        statuses.append(TermStatus(year=year, term=term, held=held, planned=planned))
    return statuses


def next_meeting(agreement: Agreement, *, today: datetime.date | None = None) -> CooperationMeeting | None:
    today = today or timezone.localdate()
    return (
        agreement.cooperation_meetings.filter(meeting_date__gte=today, held_at__isnull=True)
        .order_by("meeting_date")
        .first()
    )


# --- Writes --------------------------------------------------------------------------------------


def _meeting_date_check(meeting_date: datetime.date) -> None:
    if meeting_date < timezone.localdate():
        raise ValidationError({"meeting_date": _("Datumet har redan passerat. Planera mötet för i dag eller senare.")})


@transaction.atomic
@history.records_actor("created_by")
def cooperation_meeting_plan(
    *, agreement: Agreement, meeting_date: datetime.date, location: str = "", created_by
) -> CooperationMeeting:
    """Plan a meeting; follow-up is put on its agenda as a standing item (IOP 4.2)."""
    _meeting_date_check(meeting_date)
    if not agreement.starts_on <= meeting_date <= agreement.ends_on:
        raise ValidationError({"meeting_date": _("Datumet ligger utanför överenskommelsens period.")})
    meeting = CooperationMeeting.objects.create(
        agreement=agreement, meeting_date=meeting_date, location=location, created_by=created_by
    )
    AgendaItem.objects.create(
        meeting=meeting,
        position=1,
        title=_(STANDING_ITEM_TITLE),
        description=_("Uppföljning av verksamheten: grupper, barn, utvärdering och ekonomi."),
        is_standing=True,
    )
    return meeting


@transaction.atomic
def reference_group_create(*, target_group: TargetGroup, name: str, purpose: str = "", created_by) -> ReferenceGroup:
    """One reference group per area (target group), kept by the city's coordinator."""
    if ReferenceGroup.objects.filter(target_group=target_group).exists():
        raise ValidationError({"target_group": _("Området har redan en referensgrupp.")}, code="exists")
    if not name.strip():
        raise ValidationError({"name": _("Ange ett namn.")}, code="name")
    return ReferenceGroup.objects.create(
        target_group=target_group, name=name.strip(), purpose=purpose.strip(), created_by=created_by
    )


def _member_details_check(*, name: str, title: str, representing: str, organisation) -> None:
    if not name.strip():
        raise ValidationError({"name": _("Ange ett namn.")}, code="name")
    if not title.strip():
        raise ValidationError({"title": _("Ange en funktion.")}, code="title")
    if representing not in CooperationGroupMember.Representing.values:
        raise ValidationError({"representing": _("Välj vem ledamoten företräder.")}, code="representing")
    if representing in ("district", "provider") and organisation is None:
        raise ValidationError({"organisation": _("Välj stadsdelens eller utförarens organisation.")}, code="org")


@transaction.atomic
@history.records_actor("by")
def reference_group_member_add(
    *,
    reference_group: ReferenceGroup,
    name: str,
    title: str,
    representing: str,
    organisation=None,
    user=None,
    by=None,
) -> CooperationGroupMember:
    _member_details_check(name=name, title=title, representing=representing, organisation=organisation)
    return CooperationGroupMember.objects.create(
        reference_group=reference_group,
        name=name.strip(),
        title=title.strip(),
        representing=representing,
        organisation=organisation,
        user=user,
    )


# A member's details and the end of a membership are the same for either forum (a reference group
# or an agreement's cooperation group): the services take the member, not the forum.


@transaction.atomic
@history.records_actor("by")
def cooperation_member_update(
    *, member: CooperationGroupMember, name: str, title: str, representing: str, organisation=None, by
) -> CooperationGroupMember:
    """Correct or update a member's details (a new title, another organisation); the member's
    history keeps the earlier ones, and past decisions name the member as they are now."""
    member = CooperationGroupMember.objects.select_for_update().get(pk=member.pk)
    _member_details_check(name=name, title=title, representing=representing, organisation=organisation)
    member.name, member.title = name.strip(), title.strip()
    member.representing, member.organisation = representing, organisation
    member.save(update_fields=["name", "title", "representing", "organisation", "updated_at"])
    return member


@transaction.atomic
@history.records_actor("by")
def cooperation_member_end(*, member: CooperationGroupMember, ended_on: datetime.date, by) -> CooperationGroupMember:
    """End a membership on its last day (today, earlier, or a day ahead), or correct that day. The
    member is kept: past decisions still name their owner. A former member owns no decision of a
    later meeting (CooperationMeeting.forum_members), so the last day cannot come before a meeting
    where they took on a decision."""
    member = CooperationGroupMember.objects.select_for_update().get(pk=member.pk)
    last_owned = member.decisions.aggregate(day=Max("meeting__meeting_date"))["day"]
    if last_owned is not None and ended_on < last_owned:
        raise ValidationError(
            {
                "ended_on": _(
                    "Ledamoten är ansvarig för ett beslut från mötet %(day)s. Sista dagen kan inte vara före det."
                )
                % {"day": last_owned.isoformat()}
            },
            code="owns_decision",
        )
    member.ended_on = ended_on
    member.save(update_fields=["ended_on", "updated_at"])
    return member


@transaction.atomic
def reference_group_meeting_plan(
    *, reference_group: ReferenceGroup, meeting_date: datetime.date, location: str = "", created_by
) -> CooperationMeeting:
    """Plan a reference group's meeting; its agenda, minutes and decisions then work as the
    cooperation group's do. No standing follow-up item: that is the IOP's (IOP 4.2)."""
    _meeting_date_check(meeting_date)
    return CooperationMeeting.objects.create(
        reference_group=reference_group, meeting_date=meeting_date, location=location, created_by=created_by
    )


@history.records_actor("by")
def agenda_item_add(*, meeting: CooperationMeeting, title: str, description: str = "", report=None, by) -> AgendaItem:
    """Add an item to a meeting's agenda; `by` None when the follow-up report's job adds it."""
    if meeting.held_at:
        raise ValidationError({"title": _("Mötet är redan protokollfört; dagordningen kan inte ändras.")})
    last = meeting.agenda_items.order_by("-position").values_list("position", flat=True).first() or 0
    return AgendaItem.objects.create(
        meeting=meeting, position=last + 1, title=title.strip(), description=description, report=report
    )


@transaction.atomic
@history.records_actor("by")
def cooperation_meeting_record_minutes(*, meeting: CooperationMeeting, minutes: str, by) -> CooperationMeeting:
    """Record (or correct) the minutes; the meeting's history keeps who wrote them and when."""
    meeting = CooperationMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.meeting_date > timezone.localdate():
        raise ValidationError({"minutes": _("Protokoll kan föras först när mötet har ägt rum.")})
    if not minutes.strip():
        raise ValidationError({"minutes": _("Skriv protokollet.")})
    meeting.minutes = minutes.strip()
    meeting.held_at = meeting.held_at or timezone.now()
    meeting.save(update_fields=["minutes", "held_at", "updated_at"])
    return meeting


@transaction.atomic
@history.records_actor("by")
def cooperation_decision_record(
    *, meeting: CooperationMeeting, text: str, owner: CooperationGroupMember, due_on: datetime.date, by
) -> CooperationDecision:
    if not meeting.forum_members().filter(pk=owner.pk).exists():
        if meeting.reference_group_id:
            raise ValidationError({"owner": _("Den ansvariga måste vara ledamot i referensgruppen.")})
        raise ValidationError({"owner": _("Den ansvariga måste vara ledamot i samverkansgruppen.")})
    if due_on < meeting.meeting_date:
        raise ValidationError({"due_on": _("Beslutet kan inte vara klart före mötet.")})
    return CooperationDecision.objects.create(meeting=meeting, text=text.strip(), owner=owner, due_on=due_on)


@transaction.atomic
@history.records_actor("by")
def cooperation_decision_mark_done(*, decision: CooperationDecision, by) -> CooperationDecision:
    """Mark a decision as carried out, by whom in its history; marking it again keeps the first time."""
    decision = CooperationDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.done_at is None:
        decision.done_at = timezone.now()
        decision.save(update_fields=["done_at", "updated_at"])
    return decision


def open_decisions(agreement: Agreement) -> QuerySet[CooperationDecision]:
    """Decisions not yet carried out, oldest due first, for the overview."""
    return (
        CooperationDecision.objects.filter(meeting__agreement=agreement, done_at__isnull=True)
        .select_related("owner", "meeting")
        .order_by("due_on")
    )


@transaction.atomic
@history.records_actor("recorded_by")
def agreement_amendment_record(
    *, agreement: Agreement, title: str, description: str, changes: dict, recorded_by
) -> AgreementAmendment:
    """Record a written amendment. It changes nothing until both parties have signed."""
    unknown = set(changes) - set(AMENDABLE_AGREEMENT_FIELDS)
    if unknown:
        raise ValidationError(_("Okända uppgifter i ändringen: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    return AgreementAmendment.objects.create(
        agreement=agreement,
        title=title.strip(),
        description=description.strip(),
        changes=changes,
        recorded_by=recorded_by,
    )


def _check_changes(agreement: Agreement, changes: dict) -> None:
    """Apply the changes to an unsaved copy and run the model's checks on it."""
    for name, value in changes.items():
        setattr(agreement, name, datetime.date.fromisoformat(value) if name == "ends_on" else value)
    if agreement.ends_on < agreement.starts_on:
        raise ValidationError(_("Ändringen skulle sluta överenskommelsen före dess början."))
    if agreement.min_group_size > agreement.max_group_size:
        raise ValidationError(_("Ändringen skulle göra minsta gruppstorlek större än största."))


@transaction.atomic
@history.records_actor("by")
def agreement_amendment_sign(
    *, amendment: AgreementAmendment, party: str, signed_by: str, signed_on: datetime.date, by
) -> AgreementAmendment:
    """Record who signed for one party and when (`signed_by`, a name on paper); the history keeps
    the user who recorded it (`by`). When both have signed, the changes are applied to the
    agreement in the same transaction, and the old values are kept on the amendment."""
    amendment = AgreementAmendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.applied_at:
        raise ValidationError(_("Ändringen är redan undertecknad av båda parter och gäller."))
    if not signed_by.strip():
        raise ValidationError({"signed_by": _("Ange vem som undertecknade.")})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("Ett undertecknande kan inte ligga i framtiden.")})
    if party == "public":
        amendment.public_party_signed_by, amendment.public_party_signed_on = signed_by.strip(), signed_on
    elif party == "provider":
        amendment.provider_signed_by, amendment.provider_signed_on = signed_by.strip(), signed_on
    else:
        raise ValidationError({"party": _("Välj part.")})
    if amendment.is_signed:
        agreement = Agreement.objects.select_for_update().get(pk=amendment.agreement_id)
        amendment.previous_values = {
            name: str(getattr(agreement, name)) if name == "ends_on" else getattr(agreement, name)
            for name in amendment.changes
        }
        _check_changes(agreement, amendment.changes)
        agreement.save(update_fields=[*amendment.changes, "updated_at"])
        amendment.applied_at = timezone.now()
    amendment.save()
    return amendment
