"""The city's reference groups per area (issue 16): members from districts, providers and
experts, and their meetings, whose agenda, minutes and decisions are the cooperation group's
pages (views/cooperation.py), shared through the meeting's forum."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnership.access import can, require_permission
from partnership.forms import apply_service_errors
from partnership.models import TargetGroup

from .. import cooperation
from ..forms import MeetingForm, MemberEndForm, ReferenceGroupForm, ReferenceMemberForm
from ..models import ReferenceGroup


@login_required
@require_http_methods(["GET", "POST"])
def reference_groups(request):
    require_permission(request.user, "followup.list_reference_groups")
    may_manage = can(request.user, "followup.manage_reference_group")
    form = ReferenceGroupForm(request.POST or None) if may_manage else None
    if request.method == "POST":
        require_permission(request.user, "followup.manage_reference_group")
        if form.is_valid():
            try:
                group = cooperation.reference_group_create(created_by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(error, form)
            else:
                messages.success(request, _("Referensgruppen är skapad."))
                return redirect("followup:reference_group", public_id=group.public_id)
    groups = cooperation.reference_groups_for(request.user).select_related("target_group")
    with_group = set(ReferenceGroup.objects.values_list("target_group_id", flat=True))
    # Areas without a reference group: the coordinator's to-do (few rows: one per target group).
    without = [tg for tg in TargetGroup.objects.order_by("name") if tg.pk not in with_group] if may_manage else []
    context = {"groups": groups, "without": without, "form": form, "may_manage": may_manage}
    return render(request, "followup/reference_groups.html", context)


@login_required
@require_GET
def reference_group(request, public_id):
    require_permission(request.user, "followup.list_reference_groups")
    group = cooperation.get_reference_group_for(request.user, public_id)
    require_permission(request.user, "followup.view_reference_group", group)
    may_manage = can(request.user, "followup.manage_reference_group")
    members = group.members.select_related("organisation").order_by("representing", "name")
    context = {
        "group": group,
        "members": members.current(),
        "former_members": members.filter(ended_on__lt=timezone.localdate()).order_by("-ended_on", "name"),
        "may_change_members": can(request.user, "followup.change_reference_member"),
        "meetings": group.meetings.order_by("-meeting_date"),
        "may_manage": may_manage,
        "member_form": ReferenceMemberForm(),
        "meeting_form": MeetingForm(),
    }
    return render(request, "followup/reference_group.html", context)


def _managed_group(request, public_id):
    require_permission(request.user, "followup.manage_reference_group")
    return cooperation.get_reference_group_for(request.user, public_id)


@login_required
@require_POST
def reference_member_add(request, public_id):
    group = _managed_group(request, public_id)
    form = ReferenceMemberForm(request.POST)
    if form.is_valid():
        try:
            cooperation.reference_group_member_add(reference_group=group, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Ledamoten är tillagd."))
            return redirect("followup:reference_group", public_id=group.public_id)
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, message)
    return redirect("followup:reference_group", public_id=group.public_id)


def _member_page(request, group, member, *, details_form=None, end_form=None):
    context = {
        "group": group,
        "member": member,
        "details_form": details_form
        or ReferenceMemberForm(
            initial={
                "name": member.name,
                "title": member.title,
                "representing": member.representing,
                "organisation": member.organisation,
            }
        ),
        "end_form": end_form or MemberEndForm(initial={"ended_on": member.ended_on or timezone.localdate()}),
    }
    return render(request, "followup/reference_member.html", context)


def _changed_member(request, public_id, member_id):
    require_permission(request.user, "followup.change_reference_member")
    group = cooperation.get_reference_group_for(request.user, public_id)
    return group, cooperation.get_reference_member_for(group, member_id)


@login_required
@require_http_methods(["GET", "POST"])
def reference_member(request, public_id, member_id):
    """A member's page: change their details, or end the membership (reference_member_end)."""
    group, member = _changed_member(request, public_id, member_id)
    form = ReferenceMemberForm(request.POST) if request.method == "POST" else None
    if form is not None and form.is_valid():
        try:
            cooperation.cooperation_member_update(member=member, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Ledamotens uppgifter är sparade."))
            return redirect("followup:reference_group", public_id=group.public_id)
    return _member_page(request, group, member, details_form=form)


@login_required
@require_POST
def reference_member_end(request, public_id, member_id):
    group, member = _changed_member(request, public_id, member_id)
    form = MemberEndForm(request.POST)
    if form.is_valid():
        try:
            cooperation.cooperation_member_end(member=member, ended_on=form.cleaned_data["ended_on"], by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Ledamotskapet är avslutat. Ledamoten finns kvar i gruppens protokoll."))
            return redirect("followup:reference_group", public_id=group.public_id)
    return _member_page(request, group, member, end_form=form)


@login_required
@require_POST
def reference_meeting_create(request, public_id):
    group = _managed_group(request, public_id)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            meeting = cooperation.reference_group_meeting_plan(
                reference_group=group, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Mötet är planerat."))
            return redirect("followup:meeting_detail", public_id=meeting.public_id)
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, message)
    return redirect("followup:reference_group", public_id=group.public_id)
