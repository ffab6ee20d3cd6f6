"""The cooperation group's pages: meetings, agenda, minutes, decisions and amendments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnership.access import can, require_permission
from partnership.forms import apply_service_errors
from partnership.models import AMENDABLE_AGREEMENT_FIELDS

from .. import cooperation
from ..forms import (
    AgendaItemForm,
    AmendmentForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    SignatureForm,
)
from ._common import _agreement_for, _form_page

# --- Cooperation group ---------------------------------------------------------------------------


@login_required
@require_GET
def cooperation_overview(request):
    require_permission(request.user, "partnership.view_cooperation")
    agreement = _agreement_for(request.user)
    context = {
        "agreement": agreement,
        "members": agreement.cooperation_members.select_related("organisation"),
        "meetings": agreement.cooperation_meetings.all(),
        "terms": cooperation.terms_without_meeting(agreement),
        "amendments": agreement.amendments.all(),
        "decisions": cooperation.open_decisions(agreement),
        "today": timezone.localdate(),
        "may_manage": can(request.user, "partnership.manage_cooperation"),
        "may_amend": can(request.user, "partnership.manage_amendments"),
    }
    return render(request, "followup/cooperation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    require_permission(request.user, "partnership.manage_cooperation")
    agreement = _agreement_for(request.user)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = cooperation.cooperation_meeting_plan(
                agreement=agreement, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Mötet är planerat. Uppföljning står på dagordningen."))
            return redirect("followup:meeting_detail", public_id=meeting.public_id)
    return render(request, "followup/form_page.html", _form_page(form, _("Planera samverkansmöte"), _("Planera")))


def _forum_permission(meeting, *, manage: bool = False) -> tuple[str, object]:
    """The permission a meeting's pages need, by its forum: the cooperation group's, or its
    reference group's (on the reference group)."""
    if meeting.reference_group_id:
        return (
            "followup.manage_reference_group" if manage else "followup.view_reference_group"
        ), meeting.reference_group
    return ("partnership.manage_cooperation" if manage else "partnership.view_cooperation"), None


def _meeting_for(request, public_id, *, manage: bool = False):
    require_permission(request.user, "followup.manage_meetings" if manage else "followup.view_meetings")
    meeting = cooperation.get_meeting_for(request.user, public_id)
    require_permission(request.user, *_forum_permission(meeting, manage=manage))
    return meeting


@login_required
@require_GET
def meeting_detail(request, public_id):
    meeting = _meeting_for(request, public_id)
    may_manage = can(request.user, *_forum_permission(meeting, manage=True))
    context = {
        "meeting": meeting,
        "may_manage": may_manage,
        "agenda_form": AgendaItemForm(),
        "minutes_form": MinutesForm(initial={"minutes": meeting.minutes}),
        "decision_form": DecisionForm(members=meeting.forum_members()),
    }
    return render(request, "followup/meeting_detail.html", context)


def _meeting_action(request, public_id, form_class, action, success):
    meeting = _meeting_for(request, public_id, manage=True)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(meeting, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, success)
            return redirect("followup:meeting_detail", public_id=meeting.public_id)
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, message)
    return redirect("followup:meeting_detail", public_id=meeting.public_id)


@login_required
@require_POST
def agenda_item_create(request, public_id):
    return _meeting_action(
        request,
        public_id,
        AgendaItemForm,
        lambda meeting, data: cooperation.agenda_item_add(meeting=meeting, **data, by=request.user),
        _("Punkten är tillagd på dagordningen."),
    )


@login_required
@require_POST
def meeting_minutes(request, public_id):
    return _meeting_action(
        request,
        public_id,
        MinutesForm,
        lambda meeting, data: cooperation.cooperation_meeting_record_minutes(meeting=meeting, **data, by=request.user),
        _("Protokollet är sparat."),
    )


@login_required
@require_POST
def decision_create(request, public_id):
    meeting = _meeting_for(request, public_id, manage=True)
    form = DecisionForm(request.POST, members=meeting.forum_members())
    if form.is_valid():
        try:
            cooperation.cooperation_decision_record(meeting=meeting, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Beslutet är registrerat."))
            return redirect("followup:meeting_detail", public_id=meeting.public_id)
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, message)
    return redirect("followup:meeting_detail", public_id=meeting.public_id)


@login_required
@require_POST
def decision_done(request, public_id, decision_id):
    meeting = _meeting_for(request, public_id, manage=True)
    decision = get_object_or_404(meeting.decisions.all(), pk=decision_id)
    cooperation.cooperation_decision_mark_done(decision=decision, by=request.user)
    messages.success(request, _("Beslutet är markerat som klart."))
    return redirect("followup:meeting_detail", public_id=meeting.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_create(request):
    require_permission(request.user, "partnership.manage_amendments")
    agreement = _agreement_for(request.user)
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = cooperation.agreement_amendment_record(
                agreement=agreement,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                changes=form.changes(),
                recorded_by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Ändringen är registrerad. Den gäller när båda parter har undertecknat."))
            return redirect("followup:amendment_detail", public_id=amendment.public_id)
    intro = _("Fyll bara i de uppgifter som ändras. Överenskommelsen ändras först när båda parter har undertecknat.")
    context = _form_page(form, _("Ny ändring av överenskommelsen"), _("Registrera"), intro=intro)
    return render(request, "followup/form_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_detail(request, public_id):
    require_permission(request.user, "partnership.view_cooperation")
    amendment = cooperation.get_amendment_for(request.user, public_id)
    may_sign = can(request.user, "partnership.manage_amendments") and not amendment.applied_at
    form = SignatureForm(request.POST or None)
    if request.method == "POST":
        require_permission(request.user, "partnership.manage_amendments")
        if amendment.applied_at:
            # The form is no longer on the page: say why there, not beside a hidden field.
            messages.error(request, _("Ändringen är redan undertecknad av båda parter och gäller."))
            return redirect("followup:amendment_detail", public_id=amendment.public_id)
        if form.is_valid():
            try:
                cooperation.agreement_amendment_sign(amendment=amendment, **form.cleaned_data, by=request.user)
            except ValidationError as error:
                apply_service_errors(error, form)
            else:
                messages.success(request, _("Underskriften är registrerad."))
                return redirect("followup:amendment_detail", public_id=amendment.public_id)
    changes = [
        (AMENDABLE_AGREEMENT_FIELDS.get(name, name), amendment.previous_values.get(name), value)
        for name, value in amendment.changes.items()
    ]
    context = {"amendment": amendment, "form": form, "may_sign": may_sign, "changes": changes}
    return render(request, "followup/amendment_detail.html", context)
