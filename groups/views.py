import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from icalendar import Calendar, Event

from partnership.access import can, require_permission
from partnership.forms import apply_service_errors
from partnership.models import AccessLogEntry
from partnership.pagination import keyset_page
from partnership.pdf import render_pdf
from partnership.ratelimits import public_token_rate_limit
from partnership.selectors import agreement_in_force_or_refuse
from partnership.services import access_log_record_many
from referrals.selectors import referrals_visible_to

from . import schedule, selectors, services
from .family_reminders import family_email, placement_family_reminders_set
from .forms import (
    AttendanceRowForm,
    CancelForm,
    FamilyRemindersForm,
    GroupForm,
    MeetingMoveForm,
    PlaceForm,
    ReasonForm,
    VisitForm,
    WaitingListMoveForm,
)
from .models import CalendarToken, GroupFormat, GroupStatus, Meeting, Placement

PAGE_SIZE = 50
LEGAL_BASIS = gettext_lazy("Placerat barn: samtycke eller LVU-placering")


def _log_views(user, referrals, what):
    access_log_record_many(
        user=user, referrals=list(referrals), action=AccessLogEntry.Action.VIEW, legal_basis=str(LEGAL_BASIS), what=what
    )


def _group_for(request, public_id, permission):
    group = selectors.get_group_for(request.user, public_id)
    require_permission(request.user, permission, group)
    return group


# --- Groups ----------------------------------------------------------------------------------


@login_required
@require_GET
def group_list(request):
    require_permission(request.user, "groups.list_groups")
    # Keyset pages: a national provider runs thousands of groups a year; no COUNT of them all.
    page = keyset_page(
        selectors.group_list(request.user), ordering=["-starts_on", "-pk"], params=request.GET, size=PAGE_SIZE
    )
    return render(request, "groups/group_list.html", {"groups": page.object_list, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    require_permission(request.user, "groups.add_group")
    organisation = request.user.membership.organisation
    form = GroupForm(request.POST or None, organisation=organisation, initial={"format": GroupFormat.WEEKLY})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["format"] == GroupFormat.WEEKLY:
                slots = schedule.weekly_schedule(
                    earliest=data["first_date"], weekday=data["weekday"], start_time=data["start_time"]
                )
            else:
                slots = schedule.weekend_schedule(
                    first_saturday=data["first_date"],
                    follow_up_weeks=data["follow_up_weeks"] or schedule.DEFAULT_FOLLOW_UP_WEEKS,
                )
            # The group belongs to the agreement in force on its first meeting (outside every
            # agreement it is refused next to the date).
            first_day = min(slot.starts_at for slot in slots).astimezone(schedule.STOCKHOLM).date()
            agreement = agreement_in_force_or_refuse(on=first_day, field="first_date", organisation=organisation)
            group = services.group_create(
                agreement=agreement,
                created_by=request.user,
                name=data["name"],
                format=data["format"],
                min_age=data["min_age"],
                max_age=data["max_age"],
                premises=data["premises"],
                leaders=data["leaders"],
                slots=slots,
            )
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="first_date")
        else:
            messages.success(request, _("Gruppen är planerad med %(n)s träffar.") % {"n": len(slots)})
            return redirect("groups:detail", public_id=group.public_id)
    return render(request, "groups/group_form.html", {"form": form})


@login_required
@require_GET
def group_detail(request, public_id):
    group = _group_for(request, public_id, "groups.view_group")
    rows = selectors.placement_rows(user=request.user, group=group)
    _log_views(request.user, [row.placement.referral for row in rows if row.show_identity], _("Stödgrupp"))
    subgroups = list(group.subgroups.all())
    actions = selectors.group_actions(group, request.user, subgroups=subgroups)
    other_pages = selectors.other_attendance_pages(request.user, group)
    context = {
        "group": group,
        "rows": rows,
        "meetings": selectors.group_meeting_rows(group, actions, other_pages),
        # A group of a provider outside the IOP holds no placements: its attendance is the other
        # pages', and a link to an empty list of placed children would lead nowhere.
        "placement_attendance": bool(rows) or not other_pages,
        "subgroups": subgroups,
        "leaders": list((group.parent or group).leaders.all()),
        "minimum": group.agreement.min_group_size,
        "maximum": group.agreement.max_group_size,
        "actions": actions,
        "can_plan": can(request.user, "groups.plan_group", group),
        "can_lead": can(request.user, "groups.lead_group", group),
        "cancel_form": CancelForm(),
    }
    return render(request, "groups/group_detail.html", context)


GROUP_ACTIONS = {
    "open": (services.group_open, gettext_lazy("Gruppen är öppen för placering.")),
    "start": (services.group_start, gettext_lazy("Gruppen har startat.")),
}


@login_required
@require_POST
def group_action(request, public_id):
    group = _group_for(request, public_id, "groups.plan_group")
    action = GROUP_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        raise Http404
    service, success = action
    try:
        service(group=group, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("groups:detail", public_id=group.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def group_cancel(request, public_id):
    group = _group_for(request, public_id, "groups.plan_group")
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_cancel(group=group, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="reason")
        else:
            messages.success(request, _("Gruppen är inställd och barnen står åter i väntelistan."))
            return redirect("groups:detail", public_id=group.public_id)
    return render(request, "groups/group_cancel.html", {"group": group, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def group_close(request, public_id):
    group = _group_for(request, public_id, "groups.lead_group")
    last = group.meetings.order_by("-starts_at").first()
    error_messages: list[str] = []
    if request.method == "POST":
        try:
            services.group_close(group=group, by=request.user)
        except ValidationError as error:
            error_messages = error.messages
        else:
            messages.success(request, _("Gruppen är avslutad. Barnens anmälningar är avslutade."))
            return redirect("groups:detail", public_id=group.public_id)
    context = {"group": group, "last": last, "error_messages": error_messages}
    return render(request, "groups/group_close.html", context)


# --- Meetings --------------------------------------------------------------------------------


def _meeting_for(group, meeting_id) -> Meeting:
    return get_object_or_404(Meeting, pk=meeting_id, group=group.parent or group)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_move(request, public_id, meeting_id):
    group = _group_for(request, public_id, "groups.lead_group")
    meeting = _meeting_for(group, meeting_id)
    start = timezone.localtime(meeting.starts_at)
    form = MeetingMoveForm(request.POST or None, initial={"date": start.date(), "time": start.time()})
    if request.method == "POST" and form.is_valid():
        starts_at = datetime.datetime.combine(
            form.cleaned_data["date"], form.cleaned_data["time"], tzinfo=schedule.STOCKHOLM
        )
        try:
            services.meeting_move(meeting=meeting, starts_at=starts_at, by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="date")
        else:
            messages.success(request, _("Träffen är flyttad."))
            return redirect("groups:detail", public_id=group.public_id)
    return render(request, "groups/meeting_move.html", {"group": group, "meeting": meeting, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request, public_id, meeting_id):
    group = _group_for(request, public_id, "groups.lead_group")
    meeting = _meeting_for(group, meeting_id)
    rows = selectors.placement_rows(user=request.user, group=group)
    existing = selectors.attendance_by_placement(meeting)
    forms = []
    for row in rows:
        record = existing.get(row.placement.pk)
        initial = (
            {"present": "1" if record.present else "0", "absence_reason": record.absence_reason, "note": record.note}
            if record
            else {}
        )
        forms.append((row, AttendanceRowForm(request.POST or None, prefix=f"p{row.placement.pk}", initial=initial)))
    general_errors: list[str] = []
    if request.method == "POST" and all(form.is_valid() for _row, form in forms):
        entries = [
            services.AttendanceEntry(
                placement=row.placement,
                present=form.cleaned_data["present"],
                absence_reason=form.cleaned_data["absence_reason"],
                note=form.cleaned_data["note"],
            )
            for row, form in forms
        ]
        try:
            services.attendance_record(meeting=meeting, entries=entries, by=request.user)
        except ValidationError as error:
            general_errors = error.messages
        else:
            messages.success(request, _("Närvaron är sparad."))
            return redirect("groups:detail", public_id=group.public_id)
    _log_views(request.user, [row.placement.referral for row in rows if row.show_identity], _("Närvaro"))
    context = {
        "group": group,
        "meeting": meeting,
        "forms": forms,
        "general_errors": general_errors,
        "other_attendance": selectors.other_attendance_links(
            selectors.other_attendance_pages(request.user, group), group, meeting
        ),
    }
    return render(request, "groups/attendance.html", context)


@login_required
@require_GET
def attendance_pdf(request, public_id):
    group = _group_for(request, public_id, "groups.lead_group")
    sheet = selectors.attendance_sheet_for(user=request.user, group=group)
    access_log_record_many(
        user=request.user,
        referrals=sheet.children_shown,
        action=AccessLogEntry.Action.EXPORT,
        legal_basis=str(LEGAL_BASIS),
        what=_("Närvarolista (PDF)"),
    )
    pdf = render_pdf(
        "groups/pdf/attendance_sheet.html",
        {"group": group, "meetings": sheet.meetings, "table": sheet.table, "printed": timezone.localtime()},
        stylesheets=("attendance_sheet.css",),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="narvarolista.pdf"'
    return response


# --- Placing children ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def group_place(request, public_id):
    group = _group_for(request, public_id, "groups.plan_group")
    form = PlaceForm(request.POST or None)
    pending = None
    if request.method == "POST" and form.is_valid():
        referral = get_object_or_404(referrals_visible_to(request.user), public_id=form.cleaned_data["referral"])
        try:
            services.group_place_child(
                group=group,
                referral=referral,
                placed_by=request.user,
                age_override_reason=form.cleaned_data["age_override_reason"],
            )
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="referral")
            # Only an age outside the band can be overridden: then ask for the written reason.
            if "age_override_reason" in getattr(error, "error_dict", {}):
                pending = referral
        else:
            messages.success(request, _("Barnet är placerat i %(group)s.") % {"group": group.name})
            return redirect("groups:place", public_id=group.public_id)
    page = Paginator(selectors.waiting_list_queryset(request.user), PAGE_SIZE).get_page(request.GET.get("sida"))
    rows = selectors.waiting_rows(user=request.user, referrals=page.object_list, group=group)
    if pending and not any(row.referral.pk == pending.pk for row in rows):
        queryset = selectors.waiting_list_queryset(request.user).filter(pk=pending.pk)
        rows += selectors.waiting_rows(user=request.user, referrals=queryset, group=group)
    _log_views(request.user, [row.referral for row in rows if row.show_identity], _("Väntelista"))
    placed = selectors.placement_rows(user=request.user, group=group)
    pending_row = next((row for row in rows if pending and row.referral.pk == pending.pk), None)
    context = {
        "group": group,
        "rows": rows,
        "page": page,
        "placed_count": len(placed),
        "maximum": group.agreement.max_group_size,
        "form": form,
        "pending": pending_row,
        "places_left": group.agreement.max_group_size - len(placed),
    }
    return render(request, "groups/group_place.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def placement_remove(request, public_id, placement_id):
    group = _group_for(request, public_id, "groups.plan_group")
    placement = get_object_or_404(Placement.objects.select_related("referral__child"), pk=placement_id, group=group)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_remove(placement=placement, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="reason")
        else:
            messages.success(request, _("Barnet är borttaget ur gruppen och står åter i väntelistan."))
            return redirect("groups:detail", public_id=group.public_id)
    show_identity = can(request.user, "referrals.view_identity", placement.referral)
    context = {"group": group, "placement": placement, "form": form, "show_identity": show_identity}
    return render(request, "groups/placement_remove.html", context)


def _current_placement(group, placement_id) -> Placement:
    """A child's current place in the group or in one of its subgroups (a split weekend)."""
    return get_object_or_404(
        Placement.objects.select_related("referral__child", "referral__agreement", "group"),
        pk=placement_id,
        removed_at__isnull=True,
        group__in=[group, *group.subgroups.all()],
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request, public_id, placement_id):
    group = _group_for(request, public_id, "groups.lead_group")
    placement = _current_placement(group, placement_id)
    visit = getattr(placement, "pre_group_visit", None)
    initial = (
        {
            "kind": visit.kind,
            "visit_date": visit.visit_date,
            "leader": visit.leader_id,
            "outcome": visit.outcome,
            "exception_reason": visit.exception_reason,
        }
        if visit
        else {"kind": "home", "leader": request.user.pk}
    )
    form = VisitForm(request.POST or None, organisation=request.user.membership.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.pre_group_visit_record(placement=placement, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="kind")
        else:
            messages.success(request, _("Besöket är sparat."))
            return redirect("groups:detail", public_id=group.public_id)
    show_identity = can(request.user, "referrals.view_identity", placement.referral)
    context = {"group": group, "placement": placement, "form": form, "show_identity": show_identity}
    return render(request, "groups/visit_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def family_reminders_edit(request, public_id, placement_id):
    group = _group_for(request, public_id, "groups.lead_group")
    placement = _current_placement(group, placement_id)
    # The page shows the child's name and the family's address: the consent gate applies.
    require_permission(request.user, "referrals.view_identity", placement.referral)
    _log_views(request.user, [placement.referral], _("Påminnelser till familjehemmet"))
    # Bound on every POST: an unticked box alone sends no field at all.
    form = FamilyRemindersForm(
        request.POST if request.method == "POST" else None,
        initial={"enabled": placement.family_reminders_since is not None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            placement_family_reminders_set(placement=placement, enabled=form.cleaned_data["enabled"], by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="enabled")
        else:
            if form.cleaned_data["enabled"]:
                messages.success(request, _("Familjehemmet får ett mejl dagen före varje träff."))
            else:
                messages.success(request, _("Familjehemmet får inga fler påminnelser."))
            return redirect("groups:detail", public_id=group.public_id)
    context = {"group": group, "placement": placement, "form": form, "family_email": family_email(placement)}
    return render(request, "groups/family_reminders.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def weekend_split(request, public_id):
    group = _group_for(request, public_id, "groups.plan_group")
    if group.format != GroupFormat.WEEKEND or group.parent_id is not None:
        raise Http404
    waiting = [row for row in selectors.waiting_list(user=request.user, group=group) if row.fits]
    placed = [row.placement.referral for row in selectors.placement_rows(user=request.user, group=group)]
    candidates = placed + [row.referral for row in waiting]
    proposal, problem = [], ""
    try:
        proposal = services.weekend_split_propose(group=group, referrals=candidates)
    except ValidationError as error:
        problem = " ".join(error.messages)
    if request.method == "POST" and not problem:
        try:
            services.weekend_split_apply(group=group, referrals=[row.referral for row in waiting], by=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(request, _("Stödhelgen är delad i %(n)s undergrupper.") % {"n": len(proposal)})
            return redirect("groups:detail", public_id=group.public_id)
    names = {
        referral.pk: referral.child.full_name if can(request.user, "referrals.view_identity", referral) else ""
        for referral in candidates
    }
    _log_views(request.user, [r for r in candidates if names[r.pk]], _("Delning av stödhelg"))
    parts = [(part, [names[referral.pk] or referral.pseudonym for referral in part.referrals]) for part in proposal]
    context = {"group": group, "parts": parts, "problem": problem}
    return render(request, "groups/weekend_split.html", context)


# --- Waiting list ----------------------------------------------------------------------------


@login_required
@require_GET
def waiting_list(request):
    require_permission(request.user, "groups.view_waiting_list")
    page = Paginator(selectors.waiting_list_queryset(request.user), PAGE_SIZE).get_page(request.GET.get("sida"))
    rows = selectors.waiting_rows(user=request.user, referrals=page.object_list)
    _log_views(request.user, [row.referral for row in rows if row.show_identity], _("Väntelista"))
    context = {
        "rows": rows,
        "page": page,
        "open_groups": selectors.open_groups_for(request.user),
        "can_reorder": can(request.user, "groups.reorder_waiting_list"),
    }
    return render(request, "groups/waiting_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def waiting_list_move(request, public_id):
    require_permission(request.user, "groups.reorder_waiting_list")
    referral = get_object_or_404(
        referrals_visible_to(request.user).select_related("child").filter(status__in=services.PLACEABLE_STATUSES),
        public_id=public_id,
    )
    form = WaitingListMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.waiting_list_move(referral=referral, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="reason")
        else:
            messages.success(request, _("Väntelistan är ändrad."))
            return redirect("groups:waiting_list")
    show_identity = can(request.user, "referrals.view_identity", referral)
    context = {"referral": referral, "form": form, "show_identity": show_identity}
    return render(request, "groups/waiting_list_move.html", context)


# --- Calendar --------------------------------------------------------------------------------


@login_required
@require_GET
def calendar_month(request):
    require_permission(request.user, "groups.view_calendar")
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("manad", "").split("-"))
        first = datetime.date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    weeks, days = selectors.calendar_month(request.user, first)
    try:
        chosen = datetime.date.fromisoformat(request.GET.get("dag", ""))
    except ValueError:
        chosen = None
    chosen = chosen if chosen is not None and (chosen.year, chosen.month) == (first.year, first.month) else None
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    token = CalendarToken.objects.filter(user=request.user).first()
    context = {
        "first": first,
        "weeks": weeks,
        "days": days,
        "chosen": chosen,
        "chosen_meetings": selectors.meetings_on_day(request.user, chosen) if chosen else [],
        "today": today,
        "previous": previous,
        "following": following,
        "feed_url": request.build_absolute_uri(reverse("groups:calendar_feed", kwargs={"token": token.token}))
        if token
        else "",
    }
    return render(request, "groups/calendar.html", context)


@login_required
@require_POST
def calendar_token_renew(request):
    require_permission(request.user, "groups.view_calendar")
    services.calendar_token_renew(user=request.user)
    messages.success(request, _("Du har en ny kalenderlänk. En tidigare länk slutar fungera."))
    return redirect("groups:calendar")


@never_cache
@require_GET
@public_token_rate_limit
def calendar_feed(request, token):
    """The leader's meetings as iCalendar. The secret token is the authentication (calendar apps
    cannot sign in with two factors), so the feed carries no child's name or anything about one."""

    calendar_token = CalendarToken.objects.select_related("user").filter(token=token).first()
    if calendar_token is None or not calendar_token.user.is_active:
        raise Http404
    feed = Calendar()
    feed.add("prodid", "-//Gruppstöd//kalender//SV")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", _("Gruppstöd – mina träffar"))
    meetings = list(selectors.meetings_for_leader(calendar_token.user))
    numbers: dict[int, int] = {}
    for meeting in meetings:
        numbers[meeting.group_id] = numbers.get(meeting.group_id, 0) + 1
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@gruppstod")
        event.add("dtstamp", meeting.updated_at)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add(
            "summary",
            _("%(group)s, träff %(n)s") % {"group": meeting.group.name, "n": numbers[meeting.group_id]},
        )
        if meeting.group.premises:
            event.add("location", meeting.group.premises.name)
        if meeting.group.status == GroupStatus.CLOSED:
            event.add("status", "CONFIRMED")
        feed.add_component(event)
    return HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
