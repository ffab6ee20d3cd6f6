"""State changes of support groups: planning, placing children, visits, attendance, closing.

Every status change of a group goes through here; a referral's status only ever changes through
referrals.services.referral_transition.
"""

import datetime
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership import history
from partnership.models import Agreement
from partnership.selectors import agreement_in_force_check
from referrals.identity_numbers import age_on
from referrals.models import Referral, ReferralStatus
from referrals.services import check_target_group_age, referral_transition

from . import schedule
from .models import (
    Attendance,
    CalendarToken,
    GroupFormat,
    GroupStatus,
    Meeting,
    Placement,
    PreGroupVisit,
    Premises,
    SupportGroup,
)
from .rules import group_action_refusal, visit_fields_checked
from .signals import child_placed, group_closed

G = GroupStatus
PLACEABLE_STATUSES = (ReferralStatus.READY, ReferralStatus.WAITING_LIST)

ALLOWED_GROUP_TRANSITIONS: dict[str, set[str]] = {
    G.PLANNED: {G.OPEN, G.CANCELLED},
    G.OPEN: {G.RUNNING, G.CANCELLED},
    G.RUNNING: {G.CLOSED},
    G.CLOSED: set(),
    G.CANCELLED: set(),
}


# --- Planning --------------------------------------------------------------------------------


def _validate_slots(*, format: str, slots: list[schedule.Slot]) -> None:
    if format == GroupFormat.WEEKLY:
        schedule.validate_weekly(slots)
    else:
        schedule.validate_weekend(slots)


def _check_overlaps(
    *,
    slots: list[schedule.Slot],
    leaders: Iterable[User],
    premises: Premises | None,
    exclude_group: SupportGroup | None = None,
) -> None:
    """A leader cannot be in two groups at once, nor can two groups share the premises."""
    if not slots:
        return
    overlap = Q()
    for slot in slots:
        overlap |= Q(
            starts_at__lt=slot.ends_at,
            starts_at__gt=slot.starts_at - schedule.LONGEST_MEETING,
            ends_at__gt=slot.starts_at,
        )
    clashes = Meeting.objects.filter(overlap).exclude(group__status=G.CANCELLED).select_related("group")
    if exclude_group is not None:
        clashes = clashes.exclude(group=exclude_group)
    leader_ids = [leader.pk for leader in leaders]
    leader_clash = clashes.filter(group__leaders__in=leader_ids).first() if leader_ids else None
    if leader_clash is not None:
        busy = cast(User, leader_clash.group.leaders.filter(pk__in=leader_ids).first())  # one of them clashes
        raise ValidationError(
            {
                "leaders": _("%(leader)s leder redan %(group)s %(when)s.")
                % {
                    "leader": busy.get_full_name() or busy.get_username(),
                    "group": leader_clash.group.name,
                    "when": timezone.localtime(leader_clash.starts_at).strftime("%Y-%m-%d %H:%M"),
                }
            },
            code="leader_overlap",
        )
    if premises is not None:
        premises_clash = clashes.filter(group__premises=premises).first()
        if premises_clash is not None:
            raise ValidationError(
                {
                    "premises": _("%(premises)s är upptagen av %(group)s %(when)s.")
                    % {
                        "premises": premises.name,
                        "group": premises_clash.group.name,
                        "when": timezone.localtime(premises_clash.starts_at).strftime("%Y-%m-%d %H:%M"),
                    }
                },
                code="premises_overlap",
            )


def _check_age_band(*, agreement: Agreement, min_age: int, max_age: int) -> None:
    if min_age > max_age:
        raise ValidationError({"max_age": _("Högsta ålder kan inte vara lägre än lägsta ålder.")}, code="age_band")
    target = agreement.target_group
    if min_age < target.min_age or max_age > target.max_age:
        raise ValidationError(
            {"min_age": _("Målgruppen är %(low)s–%(high)s år.") % {"low": target.min_age, "high": target.max_age}},
            code="age_band_target",
        )


@transaction.atomic
@history.records_actor("created_by")
def group_create(
    *,
    agreement: Agreement,
    created_by: User,
    name: str,
    format: str,
    min_age: int,
    max_age: int,
    premises: Premises | None,
    leaders: Iterable[User],
    slots: list[schedule.Slot],
) -> SupportGroup:
    """Plan a group with its meetings; it starts as "planned"."""
    if not name.strip():
        raise ValidationError({"name": _("Ange ett namn.")}, code="name")
    _check_age_band(agreement=agreement, min_age=min_age, max_age=max_age)
    leaders = list(leaders)
    if not leaders:
        raise ValidationError({"leaders": _("Välj minst en gruppledare.")}, code="leaders")
    _validate_slots(format=format, slots=slots)
    starts_on = min(slot.starts_at for slot in slots).astimezone(schedule.STOCKHOLM).date()
    agreement_in_force_check(agreement=agreement, on=starts_on, field="first_date")
    _check_overlaps(slots=slots, leaders=leaders, premises=premises)
    group = SupportGroup.objects.create(
        agreement=agreement,
        name=name.strip(),
        format=format,
        min_age=min_age,
        max_age=max_age,
        premises=premises,
        starts_on=starts_on,
        ends_on=max(slot.starts_at for slot in slots).astimezone(schedule.STOCKHOLM).date(),
    )
    group.leaders.set(leaders)
    Meeting.objects.bulk_create(
        Meeting(group=group, starts_at=slot.starts_at, ends_at=slot.ends_at, is_follow_up=slot.is_follow_up)
        for slot in slots
    )
    return group


def _require_action(group: SupportGroup, action: str) -> None:
    """Refuse what the group's state does not allow (groups.rules.GROUP_ACTIONS): the same rule
    decides which buttons the group page shows (groups.selectors.group_actions)."""
    refusal = group_action_refusal(group, action, is_split=group.subgroups.exists())
    if refusal is not None:
        raise ValidationError(refusal, code="action_not_allowed")


@transaction.atomic
@history.records_actor("by")
def meeting_move(*, meeting: Meeting, starts_at: datetime.datetime, by: User) -> Meeting:
    """A leader moves one meeting; its length stays, and the group's rules must still hold."""
    group = SupportGroup.objects.select_for_update().get(pk=meeting.group_id)
    _require_action(group, "move_meeting")
    if meeting.held_confirmed_at is not None:
        raise ValidationError({"starts_at": _("Träffen är redan genomförd.")}, code="held")
    length = meeting.ends_at - meeting.starts_at
    slots = [
        schedule.Slot(starts_at, starts_at + length, other.is_follow_up)
        if other.pk == meeting.pk
        else schedule.Slot(other.starts_at, other.ends_at, other.is_follow_up)
        for other in group.meetings.all()
    ]
    _validate_slots(format=group.format, slots=slots)
    moved = schedule.Slot(starts_at, starts_at + length)
    _check_overlaps(slots=[moved], leaders=group.leaders.all(), premises=group.premises, exclude_group=group)
    if any(
        other.pk != meeting.pk and other.starts_at < moved.ends_at and other.ends_at > moved.starts_at
        for other in group.meetings.all()
    ):
        raise ValidationError({"starts_at": _("Gruppen har redan en träff då.")}, code="self_overlap")
    meeting.starts_at, meeting.ends_at = moved.starts_at, moved.ends_at
    meeting.save(update_fields=["starts_at", "ends_at", "updated_at"])
    days = [slot.starts_at.astimezone(schedule.STOCKHOLM).date() for slot in slots]
    group.starts_on, group.ends_on = min(days), max(days)
    group.save(update_fields=["starts_on", "ends_on", "updated_at"])
    return meeting


def _transition(group: SupportGroup, to_status: str, *, reason: str = "") -> None:
    """Change the group's status; its history (partnership/history.py) keeps who, when and why."""
    if group.parent_id is not None:
        raise ValidationError(_("En undergrupp följer stödhelgen; ändra status på hela stödhelgen."), code="subgroup")
    if to_status not in ALLOWED_GROUP_TRANSITIONS[group.status]:
        raise ValidationError(
            _("En grupp kan inte gå från ”%(from)s” till ”%(to)s”.")
            % {"from": G(group.status).label, "to": G(to_status).label},
            code="illegal_group_transition",
        )
    from_status = group.status
    group.status = to_status
    fields = ["status", "updated_at"]
    if to_status == G.CLOSED:
        group.closed_at = timezone.now()
        fields.append("closed_at")
    with history.reason(reason):
        group.save(update_fields=fields)
    # Subgroups of a support weekend share its schedule and so its lifecycle.
    subgroups = list(group.subgroups.all())
    if subgroups:
        SupportGroup.objects.filter(pk__in=[subgroup.pk for subgroup in subgroups]).update(
            status=to_status, closed_at=group.closed_at, updated_at=timezone.now()
        )
        history.record_changes(SupportGroup, subgroups, changes={"status": [from_status, to_status]})


@transaction.atomic
@history.records_actor("by")
def group_open(*, group: SupportGroup, by: User) -> SupportGroup:
    """The schedule is set: the group is open for placement."""
    group = SupportGroup.objects.select_for_update().get(pk=group.pk)
    _require_action(group, "open")
    _transition(group, G.OPEN)
    return group


def _current(group: SupportGroup) -> QuerySet[Placement]:
    return Placement.objects.filter(group=group, removed_at__isnull=True)


# Counters of a group's participants kept by the apps above this one (the coordination's children
# taken in on a custodian's consent, and a parents' group's parents), registered in their
# receivers.py. They count toward the minimum size of a group outside the IOP; an IOP group counts
# its placed children only, as before.
_PARTICIPANT_COUNTERS: list[Callable[[SupportGroup], int]] = []


def participant_counter_register(counter: Callable[[SupportGroup], int]) -> None:
    """`counter(group) -> int`: how many of the group's participants an app above keeps."""
    if counter not in _PARTICIPANT_COUNTERS:
        _PARTICIPANT_COUNTERS.append(counter)


def _other_participants(group: SupportGroup) -> int:
    if group.agreement.is_iop:
        return 0
    return sum(counter(group) for counter in _PARTICIPANT_COUNTERS)


def _placement_groups(group: SupportGroup) -> list[SupportGroup]:
    """The groups that hold children: a split weekend's subgroups, else the group itself."""
    subgroups = list(group.subgroups.all())
    return subgroups or [group]


@transaction.atomic
@history.records_actor("by")
def group_start(*, group: SupportGroup, by: User) -> SupportGroup:
    """Start the group: each (sub)group holds at least 5 children, each of whom has had a
    pre-group visit or has a written exception (IOP 3.1.2)."""
    group = SupportGroup.objects.select_for_update().get(pk=group.pk)
    _require_action(group, "start")
    minimum = group.agreement.min_group_size
    for holder in _placement_groups(group):
        placements = list(_current(holder).select_related("referral", "pre_group_visit"))
        count = len(placements) + _other_participants(holder)
        if count < minimum:
            raise ValidationError(
                _("%(group)s har %(count)s barn; en grupp startar med minst %(min)s.")
                % {"group": holder.name, "count": count, "min": minimum},
                code="too_few",
            )
        missing = [p for p in placements if not hasattr(p, "pre_group_visit") or not p.pre_group_visit.is_done]
        if missing:
            raise ValidationError(
                _(
                    "%(count)s barn i %(group)s saknar genomfört besök före gruppstart "
                    "(hembesök, besök hos Bris eller ett skriftligt undantag)."
                )
                % {"count": len(missing), "group": holder.name},
                code="visits_missing",
            )
    _transition(group, G.RUNNING)
    return group


@transaction.atomic
@history.records_actor("by")
def group_cancel(*, group: SupportGroup, by: User, reason: str) -> SupportGroup:
    """Cancel a group that has not started; its children go back to the waiting list."""
    if not reason.strip():
        raise ValidationError({"reason": _("Ange varför gruppen ställs in.")}, code="reason")
    group = SupportGroup.objects.select_for_update().get(pk=group.pk)
    _require_action(group, "cancel")
    _transition(group, G.CANCELLED, reason=reason)
    for holder in [group, *group.subgroups.all()]:
        for placement in _current(holder).select_related("referral"):
            _end_placement(placement, by=by, reason=reason)
            referral_transition(
                referral=placement.referral,
                to_status=ReferralStatus.WAITING_LIST,
                by=by,
                reason=_("Gruppen ställdes in: %(reason)s") % {"reason": reason.strip()},
            )
    return group


@transaction.atomic
@history.records_actor("by")
def group_close(*, group: SupportGroup, by: User) -> SupportGroup:
    """A leader confirms the last meeting happened: the group is closed and its children's
    referrals completed. Completing sets each referral's ended_at, which starts the purge
    clock; `group_closed` tells evaluation once the transaction has committed."""
    group = SupportGroup.objects.select_for_update().get(pk=group.pk)
    if group.parent_id is not None:
        raise ValidationError(_("Avsluta hela stödhelgen, inte en undergrupp."), code="subgroup")
    _require_action(group, "close")
    last = group.meetings.order_by("-starts_at").first()
    if last is None or last.ends_at > timezone.now():
        raise ValidationError(
            _("Gruppen kan avslutas först när sista träffen har ägt rum."), code="last_meeting_not_held"
        )
    _transition(group, G.CLOSED)
    if last.held_confirmed_at is None:
        last.held_confirmed_at, last.held_confirmed_by = timezone.now(), by
        last.save(update_fields=["held_confirmed_at", "held_confirmed_by", "updated_at"])
    for holder in [group, *group.subgroups.all()]:
        for placement in _current(holder).select_related("referral"):
            if placement.referral.status == ReferralStatus.PLACED:
                referral_transition(
                    referral=placement.referral,
                    to_status=ReferralStatus.COMPLETED,
                    by=by,
                    reason=_("Gruppen %(group)s avslutades.") % {"group": group.name},
                )
    group_id = group.pk
    transaction.on_commit(lambda: group_closed.send(sender=SupportGroup, group_id=group_id))
    return group


@transaction.atomic
@history.records_actor("by")
def meeting_confirm_held(*, meeting: Meeting, by: User) -> Meeting:
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Träffen har inte börjat än."), code="future")
    if meeting.held_confirmed_at is None:
        meeting.held_confirmed_at, meeting.held_confirmed_by = timezone.now(), by
        meeting.save(update_fields=["held_confirmed_at", "held_confirmed_by", "updated_at"])
    return meeting


# --- Placing children ------------------------------------------------------------------------


def child_age_for_group(referral: Referral, group: SupportGroup) -> int:
    """The child's age on the group's first meeting (today if the group has no date yet)."""
    child = getattr(referral, "child", None)  # gone once the data is purged: keep the recorded age
    if child is None:
        return referral.age_at_planned_start
    day = group.starts_on or (group.parent.starts_on if group.parent is not None else None) or timezone.localdate()
    return age_on(child.birth_date, day)


@transaction.atomic
def group_place_child(
    *, group: SupportGroup, referral: Referral, placed_by: User, age_override_reason: str = ""
) -> Placement:
    """Give a ready child a place. The group row is locked first, so two people placing into
    the same group at the same moment queue up and the count they check is the real one."""
    group = SupportGroup.objects.select_for_update(of=("self",)).select_related("agreement", "parent").get(pk=group.pk)
    refusal = group_action_refusal(group, "place", is_split=group.subgroups.exists())
    if refusal is not None:
        raise ValidationError({"referral": refusal}, code="action_not_allowed")
    referral = Referral.objects.select_related("child").get(pk=referral.pk)
    if referral.status not in PLACEABLE_STATUSES:
        raise ValidationError(
            {
                "referral": _("Barnet är inte klart för placering (status: %(status)s).")
                % {"status": ReferralStatus(referral.status).label.lower()}
            },
            code="not_ready",
        )
    if referral.agreement_id != group.agreement_id:
        raise ValidationError({"referral": _("Anmälan hör till en annan överenskommelse.")}, code="agreement")
    capacity = group.agreement.max_group_size
    count = _current(group).count()
    if count >= capacity:
        raise ValidationError(
            {
                "referral": _("Gruppen är full: %(count)s av %(max)s platser är tagna.")
                % {"count": count, "max": capacity}
            },
            code="full",
        )
    age = child_age_for_group(referral, group)
    # Outside the target group (7–18) on the group's start no reason helps (IOP 2.1); inside it, a
    # written reason lets a child join a group whose own age band they are outside.
    check_target_group_age(age=age, agreement=group.agreement, field="referral", when=_("när gruppen startar"))
    if not group.min_age <= age <= group.max_age and not age_override_reason.strip():
        raise ValidationError(
            {
                "age_override_reason": _(
                    "Barnet är %(age)s år och gruppen är för %(low)s–%(high)s år. "
                    "Skriv en motivering om barnet ändå ska placeras här."
                )
                % {"age": age, "low": group.min_age, "high": group.max_age}
            },
            code="age_outside_band",
        )
    try:
        with transaction.atomic():
            placement = Placement.objects.create(
                group=group,
                referral=referral,
                placed_by=placed_by,
                age_override_reason=age_override_reason.strip() if not group.min_age <= age <= group.max_age else "",
            )
    except IntegrityError as error:  # the child got a place elsewhere a moment ago
        raise ValidationError({"referral": _("Barnet har redan en plats i en grupp.")}, code="placed") from error
    referral_transition(referral=referral, to_status=ReferralStatus.PLACED, by=placed_by)
    child_placed.send(sender=Placement, placement=placement, placed_by=placed_by)
    return placement


def _end_placement(placement: Placement, *, by: User | None, reason: str) -> None:
    placement.removed_at = timezone.now()
    placement.removed_by = by
    placement.removal_reason = reason.strip()
    placement.save(update_fields=["removed_at", "removed_by", "removal_reason", "updated_at"])


@transaction.atomic
@history.records_actor("by")
def placement_remove(*, placement: Placement, by: User, reason: str) -> Placement:
    """Take a child out of a group that has not ended; the child goes back to the waiting list."""
    if not reason.strip():
        raise ValidationError({"reason": _("Ange varför barnet tas ur gruppen.")}, code="reason")
    placement = Placement.objects.select_for_update().select_related("group", "referral").get(pk=placement.pk)
    if placement.removed_at is not None:
        raise ValidationError(_("Barnet är redan borttaget ur gruppen."), code="removed")
    _require_action(placement.group, "remove_child")
    _end_placement(placement, by=by, reason=reason)
    referral_transition(
        referral=placement.referral, to_status=ReferralStatus.WAITING_LIST, by=by, reason=reason.strip()
    )
    return placement


@transaction.atomic
@history.records_actor("by")
def placement_end_for_referral(*, referral: Referral, by: User | None, reason: str) -> Placement | None:
    """The referral ends while the child has a place (consent withdrawn, referral withdrawn):
    the place is freed. Called when referrals signals the withdrawal (groups/receivers.py);
    changes no referral status itself."""
    placement = Placement.objects.select_for_update().filter(referral=referral, removed_at__isnull=True).first()
    if placement is not None:
        _end_placement(placement, by=by, reason=reason or _("Anmälan återtogs."))
    return placement


# --- Support weekend subgroups ---------------------------------------------------------------


@dataclass(frozen=True)
class ProposedSubgroup:
    min_age: int
    max_age: int
    referrals: list[Referral]


def weekend_split_propose(*, group: SupportGroup, referrals: list[Referral]) -> list[ProposedSubgroup]:
    """Split the weekend's children into age-ordered subgroups of 5–8 (IOP 3.1.2)."""
    if group.format != GroupFormat.WEEKEND:
        raise ValidationError(_("Bara en stödhelg delas i undergrupper."), code="not_weekend")
    ages = [(referral, child_age_for_group(referral, group)) for referral in referrals]
    parts = schedule.split_by_age(
        ages, min_size=group.agreement.min_group_size, max_size=group.agreement.max_group_size
    )
    return [
        ProposedSubgroup(min_age=part[0][1], max_age=part[-1][1], referrals=[referral for referral, _ in part])
        for part in parts
    ]


@transaction.atomic
@history.records_actor("by")
def weekend_split_apply(*, group: SupportGroup, referrals: list[Referral], by: User) -> list[SupportGroup]:
    """Create the proposed subgroups and place the children in them; children already placed in
    the weekend move to their subgroup. All or nothing."""
    group = SupportGroup.objects.select_for_update(of=("self",)).select_related("agreement").get(pk=group.pk)
    _require_action(group, "split")
    already = {p.referral_id: p for p in _current(group).select_related("referral__child")}
    everyone = [p.referral for p in already.values()] + [r for r in referrals if r.pk not in already]
    proposal = weekend_split_propose(group=group, referrals=everyone)
    subgroups = []
    for number, part in enumerate(proposal, start=1):
        subgroup = SupportGroup.objects.create(
            agreement=group.agreement,
            parent=group,
            name=_("%(name)s, grupp %(n)s (%(low)s–%(high)s år)")
            % {"name": group.name, "n": number, "low": part.min_age, "high": part.max_age},
            format=group.format,
            status=group.status,
            min_age=part.min_age,
            max_age=part.max_age,
            premises=group.premises,
            starts_on=group.starts_on,
            ends_on=group.ends_on,
        )
        subgroup.leaders.set(group.leaders.all())
        for referral in part.referrals:
            if referral.pk in already:
                Placement.objects.filter(pk=already[referral.pk].pk).update(group=subgroup, updated_at=timezone.now())
            else:
                group_place_child(group=subgroup, referral=referral, placed_by=by)
        subgroups.append(subgroup)
    return subgroups


# --- Waiting list ----------------------------------------------------------------------------


@transaction.atomic
@history.records_actor("by")
def waiting_list_move(*, referral: Referral, steps: int, reason: str, by: User) -> Referral:
    """The manager moves a child up (+1) or down (−1); the referral's history keeps the move with
    its reason, who and when."""
    if steps not in (1, -1):
        raise ValidationError({"steps": _("Flytta ett steg upp eller ned.")}, code="steps")
    if not reason.strip():
        raise ValidationError({"reason": _("Ange varför barnet flyttas i väntelistan.")}, code="reason")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in PLACEABLE_STATUSES:
        raise ValidationError(_("Barnet står inte i väntelistan."), code="not_waiting")
    # The sum of the moves, kept on the referral so that the waiting list is read in index order
    # (groups.selectors.waiting_list_queryset) rather than summed and sorted on every page.
    referral.waiting_priority += steps
    with history.reason(reason):
        referral.save(update_fields=["waiting_priority"])
    return referral


# --- Before and during the group -------------------------------------------------------------


@transaction.atomic
def pre_group_visit_record(
    *,
    placement: Placement,
    recorded_by: User,
    kind: str,
    visit_date: datetime.date | None = None,
    leader: User | None = None,
    outcome: str = "",
    exception_reason: str = "",
) -> PreGroupVisit:
    """Plan or record the child's one contact before the group, or a written exception."""
    if placement.removed_at is not None:
        raise ValidationError(_("Barnet har ingen plats i gruppen."), code="removed")
    _require_action(placement.group, "record_visit")
    fields = visit_fields_checked(
        kind=kind,
        visit_date=visit_date,
        leader=leader,
        outcome=outcome,
        exception_reason=exception_reason,
        today=timezone.localdate(),
    )
    visit, _created = PreGroupVisit.objects.update_or_create(
        placement=placement, defaults={**fields, "recorded_by": recorded_by}
    )
    return visit


@dataclass(frozen=True)
class AttendanceEntry:
    placement: Placement
    present: bool
    absence_reason: str = ""
    note: str = ""


@transaction.atomic
@history.records_actor("by")
def attendance_record(*, meeting: Meeting, entries: list[AttendanceEntry], by: User) -> list[Attendance]:
    """Record who came to a meeting; an absence needs a reason (unknown is a reason)."""
    group = SupportGroup.objects.get(pk=meeting.group_id)  # fresh: the caller's copy may be stale
    _require_action(group, "take_attendance")
    if meeting.starts_at.astimezone(schedule.STOCKHOLM).date() > timezone.localdate():
        raise ValidationError(_("Träffen har inte ägt rum än."), code="future")
    holders = {holder.pk for holder in [group, *group.subgroups.all()]}
    records = []
    for entry in entries:
        if entry.placement.group_id not in holders or entry.placement.removed_at is not None:
            raise ValidationError(_("Barnet har ingen plats i gruppen."), code="not_in_group")
        if not entry.present and not entry.absence_reason:
            raise ValidationError(
                {f"reason_{entry.placement.pk}": _("Ange orsak till frånvaron.")}, code="absence_reason"
            )
        record, _created = Attendance.objects.update_or_create(
            meeting=meeting,
            placement=entry.placement,
            defaults={
                "present": entry.present,
                "absence_reason": "" if entry.present else entry.absence_reason,
                "note": entry.note.strip(),
                "recorded_by": by,
            },
        )
        records.append(record)
    meeting_confirm_held(meeting=meeting, by=by)
    return records


# --- Calendar --------------------------------------------------------------------------------


@transaction.atomic
def calendar_token_get_or_create(*, user: User) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return token


@transaction.atomic
def calendar_token_renew(*, user: User) -> CalendarToken:
    """A new secret URL; the old one stops working at once (e.g. after it was shared by mistake)."""
    token, _created = CalendarToken.objects.update_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return token
