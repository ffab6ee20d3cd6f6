"""Reads for support groups, always within the user's organisation."""

import calendar
import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from partnership.access import can
from partnership.models import Agreement, Role
from referrals.identity_numbers import age_on
from referrals.models import Referral
from referrals.selectors import referrals_visible_to

from .models import (
    STATUSES_WITH_MEETINGS_AHEAD,
    Attendance,
    GroupStatus,
    Meeting,
    Placement,
    PreGroupVisit,
    SupportGroup,
)
from .rules import GROUP_ACTIONS, group_action_refusal
from .services import PLACEABLE_STATUSES, child_age_for_group


def _organisation_id(user: User) -> int | None:
    membership = getattr(user, "membership", None)
    if membership is None or membership.role not in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER):
        return None
    organisation_id: int = membership.organisation_id
    return organisation_id


def groups_visible_to(user: User) -> QuerySet[SupportGroup]:
    organisation_id = _organisation_id(user)
    queryset = SupportGroup.objects.select_related("agreement", "premises", "parent")
    if organisation_id is None:
        return queryset.none()
    return queryset.filter(agreement__provider_id=organisation_id)


def get_group_for(user: User, public_id: uuid.UUID) -> SupportGroup:
    """The group if the user's organisation runs it; 404 otherwise."""
    try:
        return groups_visible_to(user).get(public_id=public_id)
    except (SupportGroup.DoesNotExist, ValueError) as error:
        raise Http404 from error


def group_list(user: User) -> QuerySet[SupportGroup]:
    """Top-level groups, latest start first (group_create always sets the start), with their
    current number of children (subgroups counted in). The count is a subquery per group shown,
    so a page costs the same however many groups and placements there are."""
    current = Placement.objects.filter(removed_at__isnull=True).order_by()
    in_group = current.filter(group=OuterRef("pk")).values("group").annotate(n=Count("pk")).values("n")
    in_subgroups = (
        current.filter(group__parent=OuterRef("pk")).values("group__parent").annotate(n=Count("pk")).values("n")
    )
    return (
        groups_visible_to(user)
        .filter(parent__isnull=True)
        .annotate(
            children=Coalesce(Subquery(in_group, output_field=IntegerField()), Value(0))
            + Coalesce(Subquery(in_subgroups, output_field=IntegerField()), Value(0))
        )
        .prefetch_related("leaders")
        .order_by("-starts_on", "-pk")
    )


@dataclass(frozen=True)
class PlacementRow:
    placement: Placement
    show_identity: bool
    age: int
    visit: PreGroupVisit | None

    @property
    def name(self) -> str:
        return self.placement.referral.child.full_name if self.show_identity else self.placement.referral.pseudonym


def with_subgroup_ids(group_ids: list[int]) -> list[int]:
    """These groups' ids and their subgroups', looked up first: a condition on a group or its
    parent, left to the database, reads every placement and every group (the planner cannot
    tell how few subgroups there are)."""
    return [*group_ids, *SupportGroup.objects.filter(parent_id__in=group_ids).values_list("pk", flat=True)]


def children_placed_in(group_ids: list[int]) -> int:
    """Distinct children with a current place in these groups or their subgroups."""
    return (
        Placement.objects.filter(group_id__in=with_subgroup_ids(group_ids), removed_at__isnull=True)
        .values("referral")
        .distinct()
        .count()
    )


def placement_rows(*, user: User, group: SupportGroup) -> list[PlacementRow]:
    """The children with a current place in the group (or in its subgroups)."""
    placements = (
        Placement.objects.filter(group_id__in=with_subgroup_ids([group.pk]), removed_at__isnull=True)
        .select_related("referral__child", "referral__district", "referral__agreement", "group", "group__parent")
        .select_related("pre_group_visit__leader")
        .order_by("group__name", "referral__child__first_name")
    )
    rows = []
    for placement in placements:
        referral = placement.referral
        rows.append(
            PlacementRow(
                placement=placement,
                show_identity=can(user, "referrals.view_identity", referral),
                age=child_age_for_group(referral, placement.group),
                visit=getattr(placement, "pre_group_visit", None),
            )
        )
    return rows


def group_actions(group: SupportGroup, user: User, *, subgroups: list[SupportGroup] | None = None) -> dict[str, bool]:
    """Which of the group's actions (groups.rules.GROUP_ACTIONS) this user may take now: the
    permission on the group and the group's state. The page shows exactly these; the services
    refuse the rest. `subgroups`: the group's subgroups if the caller has them already."""
    if subgroups is None:
        subgroups = list(group.subgroups.all())
    permitted = {permission: can(user, permission, group) for permission, _s, _w in GROUP_ACTIONS.values()}
    return {
        action: permitted[permission] and group_action_refusal(group, action, is_split=bool(subgroups)) is None
        for action, (permission, _statuses, _whole) in GROUP_ACTIONS.items()
    }


# --- Attendance pages of the apps above ------------------------------------------------------
# A group outside the IOP holds people this app does not know: the coordination's children taken in
# on a custodian's consent and a parents' group's parents. Their attendance is recorded on the
# coordination's own page per meeting; the group page links it from each meeting through these
# hooks, registered in coordination/receivers.py (groups must not import the apps above it).


@dataclass(frozen=True)
class AttendancePage:
    """Where an app above records attendance for a group's meeting: the link's text, and the URL
    name, reversed with the group's public_id and the meeting's id."""

    label: str
    url_name: str


# hook(user, group) -> the page, or None where this user may not record it for this group (the
# link is then not shown). Called once per group page, never per meeting.
_ATTENDANCE_PAGES: list[Callable[[User, SupportGroup], AttendancePage | None]] = []


def attendance_page_register(hook: Callable[[User, SupportGroup], AttendancePage | None]) -> None:
    if hook not in _ATTENDANCE_PAGES:
        _ATTENDANCE_PAGES.append(hook)


def other_attendance_pages(user: User, group: SupportGroup) -> list[AttendancePage]:
    return [page for hook in _ATTENDANCE_PAGES if (page := hook(user, group)) is not None]


@dataclass(frozen=True)
class AttendanceSheetRow:
    """A row of the attendance sheet PDF that an app above adds: who, their age if known, and per
    meeting the record (anything with `present`) or None where nothing is recorded."""

    name: str
    age: int | None
    cells: list[Any]


# hook(user, group, meetings) -> the rows of the people that app keeps in the group, for a user
# who may record their attendance; [] otherwise.
_ATTENDANCE_SHEET_ROWS: list[Callable[[User, SupportGroup, list[Meeting]], list[AttendanceSheetRow]]] = []


def attendance_sheet_rows_register(
    hook: Callable[[User, SupportGroup, list[Meeting]], list[AttendanceSheetRow]],
) -> None:
    if hook not in _ATTENDANCE_SHEET_ROWS:
        _ATTENDANCE_SHEET_ROWS.append(hook)


def other_attendance_sheet_rows(user: User, group: SupportGroup, meetings: list[Meeting]) -> list[AttendanceSheetRow]:
    return [row for hook in _ATTENDANCE_SHEET_ROWS for row in hook(user, group, meetings)]


@dataclass(frozen=True)
class AttendanceLink:
    label: str
    url: str


def other_attendance_links(pages: list[AttendancePage], group: SupportGroup, meeting: Meeting) -> list[AttendanceLink]:
    kwargs = {"public_id": group.public_id, "meeting_id": meeting.pk}
    return [AttendanceLink(label=page.label, url=reverse(page.url_name, kwargs=kwargs)) for page in pages]


@dataclass(frozen=True)
class MeetingRow:
    meeting: Meeting
    may_take_attendance: bool
    may_move: bool
    other_attendance: tuple[AttendanceLink, ...] = ()


def group_meeting_rows(
    group: SupportGroup, actions: dict[str, bool], other_pages: list[AttendancePage] | None = None
) -> list[MeetingRow]:
    """The group's meetings with what the user may do with each: attendance once it has begun,
    moving until it is confirmed held (groups.services.attendance_record, meeting_move), and the
    attendance pages of the apps above (`other_pages`, from other_attendance_pages)."""
    now = timezone.now()
    rows = []
    for meeting in group_meetings(group.parent or group):
        may_take_attendance = actions["take_attendance"] and meeting.starts_at <= now
        other = other_attendance_links(other_pages or [], group, meeting) if may_take_attendance else []
        rows.append(
            MeetingRow(
                meeting=meeting,
                may_take_attendance=may_take_attendance,
                may_move=actions["move_meeting"] and meeting.held_confirmed_at is None,
                other_attendance=tuple(other),
            )
        )
    return rows


def group_meetings(group: SupportGroup) -> list[Meeting]:
    return list(group.meetings.order_by("starts_at"))


# --- Waiting list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingRow:
    referral: Referral
    show_identity: bool
    age: int
    waited_days: int
    priority: int
    fits: bool | None  # None when no group is chosen

    @property
    def name(self) -> str:
        return self.referral.child.full_name if self.show_identity else self.referral.pseudonym


def waiting_list_queryset(user: User) -> QuerySet[Referral]:
    """Ready children, Stockholm's first (IOP 3.1.2: other municipalities only if places remain),
    then by the manager's recorded moves, then by how long they have waited: the order of the
    referral_waiting_list index, so a page reads its own rows and no more."""
    return (
        referrals_visible_to(user)
        .filter(status__in=PLACEABLE_STATUSES, purged_at__isnull=True)
        .select_related("child")
        .annotate(priority=F("waiting_priority"), waiting_since=Coalesce("ready_at", "created_at"))
        .order_by("is_external", "-waiting_priority", "waiting_since", "pk")
    )


def waiting_rows(*, user: User, referrals: Iterable[Any], group: SupportGroup | None = None) -> list[WaitingRow]:
    """Rows for one page of the waiting list (from waiting_list_queryset, whose referrals carry the
    annotations waiting_since and priority)."""
    today = timezone.localdate()
    rows = []
    for referral in referrals:
        age = child_age_for_group(referral, group) if group else age_on(referral.child.birth_date, today)
        rows.append(
            WaitingRow(
                referral=referral,
                show_identity=can(user, "referrals.view_identity", referral),
                age=age,
                waited_days=(today - timezone.localdate(referral.waiting_since)).days,
                priority=referral.priority,
                fits=(group.min_age <= age <= group.max_age) if group else None,
            )
        )
    return rows


def waiting_list(*, user: User, group: SupportGroup | None = None) -> list[WaitingRow]:
    """The whole waiting list as rows (splitting a weekend picks among all who fit)."""
    return waiting_rows(user=user, referrals=waiting_list_queryset(user), group=group)


def open_groups_for(user: User) -> QuerySet[SupportGroup]:
    """Groups the user can place children in now: open, and not split into subgroups (those take
    them). None for those who do not place children, so no page links them to a placement."""
    if not can(user, "groups.place_children"):
        return SupportGroup.objects.none()
    subgroups = SupportGroup.objects.filter(parent=OuterRef("pk"))
    # Only what the links show: joining each group's parent (always none here) costs a scan.
    return (
        groups_visible_to(user)
        .select_related(None)
        .filter(status=GroupStatus.OPEN)
        .exclude(Exists(subgroups))
        .only("public_id", "name", "min_age", "max_age", "starts_on")
        .order_by("starts_on", "name")
    )


# --- Attendance ------------------------------------------------------------------------------


def attendance_by_placement(meeting: Meeting) -> dict[int, Attendance]:
    return {record.placement_id: record for record in meeting.attendances.all()}


def attendance_sheet(group: SupportGroup) -> tuple[list[Meeting], dict[tuple[int, int], Attendance]]:
    meetings = group_meetings(group)
    records = Attendance.objects.filter(meeting__group=group)
    return meetings, {(record.meeting_id, record.placement_id): record for record in records}


@dataclass(frozen=True)
class AttendanceSheet:
    """What the attendance sheet PDF prints: the meetings, then one row per person with a cell
    per meeting. The children are only those whose identity the user may see (the sheet names
    them); the apps above add the people they keep in the group after them."""

    meetings: list[Meeting]
    children: list[tuple[PlacementRow, list[Attendance | None]]]
    others: list[AttendanceSheetRow]

    @property
    def children_shown(self) -> list[Referral]:
        return [row.placement.referral for row, _cells in self.children]

    @property
    def table(self) -> list[tuple[Any, list[Any]]]:
        return [*self.children, *((row, row.cells) for row in self.others)]


def attendance_sheet_for(*, user: User, group: SupportGroup) -> AttendanceSheet:
    meetings, records = attendance_sheet(group.parent or group)
    children = [
        (row, [records.get((meeting.pk, row.placement.pk)) for meeting in meetings])
        for row in placement_rows(user=user, group=group)
        if row.show_identity
    ]
    return AttendanceSheet(
        meetings=meetings, children=children, others=other_attendance_sheet_rows(user, group, meetings)
    )


# --- Calendar and targets --------------------------------------------------------------------


def meetings_starting_on(day: datetime.date) -> QuerySet[Meeting]:
    """Meetings that start on this local day, in groups that still have meetings ahead."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
    return Meeting.objects.filter(
        starts_at__gte=start,
        starts_at__lt=start + datetime.timedelta(days=1),
        group__status__in=STATUSES_WITH_MEETINGS_AHEAD,
    )


def meetings_for_leader(user: User) -> QuerySet[Meeting]:
    """A leader's meetings in groups that are not cancelled: what their calendar shows."""
    return (
        Meeting.objects.filter(group__leaders=user)
        .exclude(group__status=GroupStatus.CANCELLED)
        .select_related("group", "group__premises")
        .order_by("starts_at")
    )


def meetings_in_month(user: User, year: int, month: int) -> QuerySet[Meeting]:
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(last, datetime.time.max))
    meetings = Meeting.objects.filter(group__in=groups_visible_to(user), starts_at__range=(start, end))
    membership = getattr(user, "membership", None)
    if membership is not None and membership.role == Role.GROUP_LEADER:
        # A leader's month is their own groups' meetings (as in their calendar feed): with every
        # group of a national provider the month would hold hundreds a day.
        meetings = meetings.filter(group__leaders=user)
    return meetings.exclude(group__status=GroupStatus.CANCELLED).select_related("group").order_by("starts_at")


# A day of the month's grid shows this many meetings and how many more: a manager's month holds
# every group's meetings, hundreds a day at national scale. The day's own list shows them all.
CALENDAR_MEETINGS_PER_DAY = 5


@dataclass(frozen=True)
class CalendarEntry:
    starts_at: datetime.datetime
    group_name: str
    group_public_id: uuid.UUID


@dataclass(frozen=True)
class CalendarDay:
    day: datetime.date
    in_month: bool
    entries: list[CalendarEntry]
    more: int


def calendar_month(user: User, first: datetime.date) -> tuple[list[list[CalendarDay]], list[CalendarDay]]:
    """The month's weeks for the grid, and its days with meetings for the list at phone width;
    at most CALENDAR_MEETINGS_PER_DAY meetings a day, with how many more. Three columns a meeting."""
    rows = meetings_in_month(user, first.year, first.month).values_list("starts_at", "group__name", "group__public_id")
    by_day: dict[datetime.date, list[CalendarEntry]] = {}
    for starts_at, name, public_id in rows:
        by_day.setdefault(timezone.localdate(starts_at), []).append(CalendarEntry(starts_at, name, public_id))

    def day_of(day: datetime.date) -> CalendarDay:
        entries = by_day.get(day, [])
        return CalendarDay(
            day=day,
            in_month=day.month == first.month,
            entries=entries[:CALENDAR_MEETINGS_PER_DAY],
            more=max(0, len(entries) - CALENDAR_MEETINGS_PER_DAY),
        )

    weeks = [
        [day_of(day) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    days = [day_of(day) for day in sorted(by_day) if day.month == first.month]
    return weeks, days


def meetings_on_day(user: User, day: datetime.date) -> list[CalendarEntry]:
    """Every meeting of one day of the calendar, for the day's own list."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    meetings = meetings_in_month(user, day.year, day.month).filter(
        starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)
    )
    return [
        CalendarEntry(starts_at, name, public_id)
        for starts_at, name, public_id in meetings.values_list("starts_at", "group__name", "group__public_id")
    ]


@dataclass(frozen=True)
class AnnualTargets:
    year: int
    groups_held: int
    children_reached: int
    groups_target: int
    children_target: int


def annual_targets(*, agreement: Agreement | None, year: int | None = None) -> AnnualTargets | None:
    """Groups held and children reached in a year against the agreement's targets (IOP 3.1.2).

    A group counts when it started (running or closed) in the year. A split support weekend counts
    once, as finance's reports do: its subgroups are parts of one intervention. Children are
    counted once however many groups they attended. Counts only: nothing here identifies a child.
    """
    if agreement is None:
        return None
    year = year or timezone.localdate().year
    held = SupportGroup.objects.filter(
        agreement=agreement,
        parent__isnull=True,
        status__in=(GroupStatus.RUNNING, GroupStatus.CLOSED),
        starts_on__year=year,
    )
    held_ids = list(held.values_list("pk", flat=True))
    return AnnualTargets(
        year=year,
        groups_held=len(held_ids),
        children_reached=children_placed_in(held_ids),
        groups_target=agreement.target_groups_per_year,
        children_target=agreement.target_children_per_year,
    )
