"""Pages of the follow-up (uppföljning): evaluations, answer links, the cooperation group, contact
lists, breakfast meetings and the follow-up report. Thin views: scope, form, one service call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consent.models import AccessLogEntry
from consent.services import access_log_record_many

from . import cooperation, evaluation, followup_report, information
from .access import can
from .followup_forms import (
    AgendaItemForm,
    AmendmentForm,
    AnswerSetForm,
    ContactForm,
    ContactImportForm,
    DecisionForm,
    EvaluationLinkForm,
    InformationMeetingForm,
    MeetingForm,
    MinutesForm,
    OutcomeFilterForm,
    PublicAnswerForm,
    ReportForm,
    SignatureForm,
    SignupForm,
    answers_from,
)
from .models import DistrictContact, EvaluationInstrument
from .selectors import agreement_current


def _require(user, permission, obj=None):
    if not can(user, permission, obj):
        raise PermissionDenied


def _apply_errors(error: ValidationError, form, fallback_field=None):
    if hasattr(error, "error_dict"):
        for name, field_errors in error.error_dict.items():
            target = name if name in form.fields else fallback_field
            for message in field_errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(fallback_field, message)


def _agreement_for(user):
    """The agreement in force, if the user's organisation is a party to it."""
    agreement = agreement_current()
    if agreement is None or not cooperation.agreements_for(user).filter(pk=agreement.pk).exists():
        raise Http404
    return agreement


# --- Evaluation ----------------------------------------------------------------------------------


def _placed_children(user, group):
    """(referral, label) for the children placed in the group; names only where the consent gate
    allows, and every name shown is written to the access log."""
    from groups.models import Placement

    placements = Placement.objects.filter(group=group, removed_at__isnull=True).select_related(
        "referral__child", "referral__agreement"
    )
    children, named = [], []
    for placement in placements:
        referral = placement.referral
        if can(user, "referrals.view_identity", referral) and hasattr(referral, "child"):
            label = f"{referral.child.full_name} ({referral.age_at_planned_start} år)"
            named.append(referral)
        else:
            label = referral.pseudonym
        children.append((referral, label))
    access_log_record_many(
        user=user, referrals=named, action=AccessLogEntry.Action.VIEW, what=_("Utvärdering, barn i gruppen")
    )
    return children


@login_required
@require_GET
def evaluation_list(request):
    _require(request.user, "partnership.list_evaluations")
    groups = evaluation.groups_with_evaluations_for(request.user).order_by("-starts_on", "name")
    return render(request, "followup/evaluation_list.html", {"groups": groups})


@login_required
@require_GET
def group_evaluation(request, public_id):
    _require(request.user, "partnership.list_evaluations")  # a role without it: 403, not 404
    group = evaluation.get_group_for(request.user, public_id)
    _require(request.user, "partnership.view_group_evaluation", group)
    may_enter = can(request.user, "partnership.enter_evaluation", group)
    context = {
        "group": group,
        "may_enter": may_enter,
        "may_link": can(request.user, "partnership.create_evaluation_link", group),
        "instruments": evaluation.instruments_in_use(),
        "outcomes": evaluation.evaluation_outcomes(group_ids=[group.pk]),
        "small_cell": evaluation.SMALL_CELL,
        "entries": evaluation.evaluation_entries_for_group(group) if may_enter else [],
        "links": evaluation.evaluation_links_for_group(group) if may_enter else [],
        "now": timezone.now(),
    }
    if may_enter:
        labels = {referral.pk: label for referral, label in _placed_children(request.user, group)}
        for entry in context["entries"]:
            entry.child_label = labels.get(entry.referral_id, entry.referral.pseudonym if entry.referral else "")
    return render(request, "followup/group_evaluation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def answer_create(request, public_id, instrument_id):
    _require(request.user, "partnership.list_evaluations")  # a role without it: 403, not 404
    group = evaluation.get_group_for(request.user, public_id)
    _require(request.user, "partnership.enter_evaluation", group)
    instrument = get_object_or_404(evaluation.instruments_in_use(), public_id=instrument_id)
    children = _placed_children(request.user, group)
    by_id = {str(referral.pk): referral for referral, _label in children}
    form = AnswerSetForm(
        request.POST or None,
        instrument=instrument,
        children=[(str(referral.pk), label) for referral, label in children],
        initial={"answered_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            evaluation.evaluation_answer_set_record(
                group=group,
                instrument=instrument,
                moment=form.cleaned_data["moment"],
                referral=by_id.get(form.cleaned_data["referral"]),
                answers=answers_from(form.cleaned_data),
                entered_by=request.user,
                answered_on=form.cleaned_data["answered_on"],
            )
        except ValidationError as error:
            _apply_errors(error, form)
        else:
            messages.success(request, _("Svaren är sparade."))
            return redirect("followup:group_evaluation", public_id=group.public_id)
    return render(request, "followup/answer_form.html", {"group": group, "instrument": instrument, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def link_create(request, public_id):
    _require(request.user, "partnership.list_evaluations")  # a role without it: 403, not 404
    group = evaluation.get_group_for(request.user, public_id)
    _require(request.user, "partnership.create_evaluation_link", group)
    instruments = [i for i in evaluation.instruments_in_use() if i.audience == "foster_family"]
    children = _placed_children(request.user, group)
    by_id = {str(referral.pk): referral for referral, _label in children}
    form = EvaluationLinkForm(
        request.POST or None,
        instruments=instruments,
        children=[(str(referral.pk), label) for referral, label in children],
    )
    if request.method == "POST" and form.is_valid():
        instrument = next(i for i in instruments if str(i.public_id) == form.cleaned_data["instrument"])
        try:
            link, token = evaluation.evaluation_link_create(
                group=group,
                referral=by_id.get(form.cleaned_data["referral"]),
                instrument=instrument,
                moment=form.cleaned_data["moment"],
                created_by=request.user,
                valid_days=form.cleaned_data["valid_days"],
            )
        except ValidationError as error:
            _apply_errors(error, form)
        else:
            # Shown once: only the token's hash is stored, so this page cannot be reloaded later.
            url = request.build_absolute_uri(reverse("followup:public_answer", kwargs={"token": token}))
            return render(request, "followup/link_created.html", {"group": group, "link": link, "url": url})
    return render(request, "followup/link_form.html", {"group": group, "form": form})


@login_required
@require_GET
def outcomes(request):
    _require(request.user, "partnership.view_evaluation_outcomes")
    from groups.models import GroupFormat

    groups = (
        evaluation.groups_with_evaluations_for(request.user).filter(evaluation_answer_sets__isnull=False).distinct()
    )
    years = sorted({g.ends_on.year if g.ends_on else g.starts_on.year for g in groups if g.ends_on or g.starts_on})
    form = OutcomeFilterForm(request.GET or None, years=years, formats=GroupFormat.choices, groups=groups)
    selected = groups
    if form.is_valid():
        if form.cleaned_data["year"]:
            selected = selected.filter(evaluation.group_year_filter(form.cleaned_data["year"]))
        if form.cleaned_data["group_format"]:
            selected = selected.filter(format=form.cleaned_data["group_format"])
        if form.cleaned_data["group"]:
            selected = selected.filter(public_id=form.cleaned_data["group"])
    result = evaluation.evaluation_outcomes(group_ids=list(selected.values_list("pk", flat=True)))
    charts = [
        (outcome.instrument.name, followup_report.svg_before_after(outcome))
        for outcome in result.instruments
        if outcome.items and any(not item.suppressed for item in outcome.items)
    ]
    summary = evaluation.evaluation_summary(groups=selected)
    context = {
        "form": form,
        "outcomes": result,
        "charts": charts,
        "small_cell": evaluation.SMALL_CELL,
        "summary_tables": [
            (_("Per grupp"), summary["group"]),
            (_("Per form"), summary["format"]),
            (_("Per år"), summary["year"]),
        ],
    }
    return render(request, "followup/outcomes.html", context)


# --- The public answer page (no login) ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def public_answer(request, token):
    """A foster family answers through its link. Only the questionnaire is on this page: nothing
    about the child, the group or anyone else, so a leaked link reveals nothing."""
    link, state = evaluation.evaluation_link_for_token(token)
    if state != evaluation.LinkState.OPEN:
        return render(request, "followup/public_refused.html", {"state": state}, status=410)
    instrument = EvaluationInstrument.objects.prefetch_related("questions").get(pk=link.instrument_id)
    form = PublicAnswerForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation.evaluation_link_answer(token=token, answers=answers_from(form.cleaned_data))
        except ValidationError as error:
            if getattr(error, "code", None) in ("used", "expired"):
                return render(request, "followup/public_refused.html", {"state": error.code}, status=410)
            _apply_errors(error, form)
        else:
            return redirect("followup:public_answer_done")
    response = render(request, "followup/public_answer.html", {"instrument": instrument, "form": form})
    # Same-origin: the token never leaves in a Referer to another site, and the form's POST still
    # carries its Origin (with no-referrer the browser sends "null" and CSRF refuses it).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def public_answer_done(request):
    return render(request, "followup/public_done.html")


# --- Cooperation group ---------------------------------------------------------------------------


@login_required
@require_GET
def cooperation_overview(request):
    _require(request.user, "partnership.view_cooperation")
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
    _require(request.user, "partnership.manage_cooperation")
    agreement = _agreement_for(request.user)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = cooperation.cooperation_meeting_plan(
                agreement=agreement, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(error, form)
        else:
            messages.success(request, _("Mötet är planerat. Uppföljning står på dagordningen."))
            return redirect("followup:meeting_detail", public_id=meeting.public_id)
    return render(request, "followup/form_page.html", _form_page(form, _("Planera samverkansmöte"), _("Planera")))


def _form_page(form, title, button, *, back=None, intro=""):
    return {"form": form, "title": title, "button": button, "back": back, "intro": intro}


@login_required
@require_GET
def meeting_detail(request, public_id):
    _require(request.user, "partnership.view_cooperation")
    meeting = cooperation.get_meeting_for(request.user, public_id)
    may_manage = can(request.user, "partnership.manage_cooperation")
    context = {
        "meeting": meeting,
        "may_manage": may_manage,
        "agenda_form": AgendaItemForm(),
        "minutes_form": MinutesForm(initial={"minutes": meeting.minutes}),
        "decision_form": DecisionForm(agreement=meeting.agreement),
    }
    return render(request, "followup/meeting_detail.html", context)


def _meeting_action(request, public_id, form_class, action, success):
    _require(request.user, "partnership.manage_cooperation")
    meeting = cooperation.get_meeting_for(request.user, public_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(meeting, form.cleaned_data)
        except ValidationError as error:
            _apply_errors(error, form)
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
        lambda meeting, data: cooperation.agenda_item_add(meeting=meeting, **data),
        _("Punkten är tillagd på dagordningen."),
    )


@login_required
@require_POST
def meeting_minutes(request, public_id):
    return _meeting_action(
        request,
        public_id,
        MinutesForm,
        lambda meeting, data: cooperation.cooperation_meeting_record_minutes(meeting=meeting, **data),
        _("Protokollet är sparat."),
    )


@login_required
@require_POST
def decision_create(request, public_id):
    _require(request.user, "partnership.manage_cooperation")
    meeting = cooperation.get_meeting_for(request.user, public_id)
    form = DecisionForm(request.POST, agreement=meeting.agreement)
    if form.is_valid():
        try:
            cooperation.cooperation_decision_record(meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(error, form)
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
    _require(request.user, "partnership.manage_cooperation")
    meeting = cooperation.get_meeting_for(request.user, public_id)
    decision = get_object_or_404(meeting.decisions.all(), pk=decision_id)
    cooperation.cooperation_decision_mark_done(decision=decision)
    messages.success(request, _("Beslutet är markerat som klart."))
    return redirect("followup:meeting_detail", public_id=meeting.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_create(request):
    _require(request.user, "partnership.manage_amendments")
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
            _apply_errors(error, form)
        else:
            messages.success(request, _("Ändringen är registrerad. Den gäller när båda parter har undertecknat."))
            return redirect("followup:amendment_detail", public_id=amendment.public_id)
    intro = _("Fyll bara i de uppgifter som ändras. Överenskommelsen ändras först när båda parter har undertecknat.")
    context = _form_page(form, _("Ny ändring av överenskommelsen"), _("Registrera"), intro=intro)
    return render(request, "followup/form_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_detail(request, public_id):
    _require(request.user, "partnership.view_cooperation")
    amendment = cooperation.get_amendment_for(request.user, public_id)
    may_sign = can(request.user, "partnership.manage_amendments") and not amendment.applied_at
    form = SignatureForm(request.POST or None)
    if request.method == "POST":
        _require(request.user, "partnership.manage_amendments")
        if form.is_valid():
            try:
                cooperation.agreement_amendment_sign(amendment=amendment, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(error, form)
            else:
                messages.success(request, _("Underskriften är registrerad."))
                return redirect("followup:amendment_detail", public_id=amendment.public_id)
    from .models import AMENDABLE_AGREEMENT_FIELDS

    changes = [
        (AMENDABLE_AGREEMENT_FIELDS.get(name, name), amendment.previous_values.get(name), value)
        for name, value in amendment.changes.items()
    ]
    context = {"amendment": amendment, "form": form, "may_sign": may_sign, "changes": changes}
    return render(request, "followup/amendment_detail.html", context)


# --- District contacts ---------------------------------------------------------------------------


@login_required
@require_GET
def contact_list(request):
    _require(request.user, "partnership.view_district_contacts")
    contacts = information.contacts_list()
    context = {"contacts": contacts, "may_manage": can(request.user, "partnership.manage_district_contacts")}
    return render(request, "followup/contact_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request):
    _require(request.user, "partnership.manage_district_contacts")
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            information.district_contact_save(**form.cleaned_data)
        except ValidationError as error:
            _apply_errors(error, form)
        else:
            messages.success(request, _("Kontaktpersonen är sparad."))
            return redirect("followup:contacts")
    return render(request, "followup/form_page.html", _form_page(form, _("Ny kontaktperson"), _("Spara")))


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, public_id):
    _require(request.user, "partnership.manage_district_contacts")
    contact = get_object_or_404(DistrictContact, public_id=public_id)
    initial = {f: getattr(contact, f) for f in ("district", "name", "role", "email", "phone")}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            information.district_contact_save(contact=contact, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(error, form)
        else:
            messages.success(request, _("Kontaktpersonen är sparad."))
            return redirect("followup:contacts")
    return render(request, "followup/form_page.html", _form_page(form, _("Ändra kontaktperson"), _("Spara")))


@login_required
@require_http_methods(["GET", "POST"])
def contact_import(request):
    _require(request.user, "partnership.manage_district_contacts")
    form = ContactImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            contact_import = information.district_contact_import_upload(
                file_name=upload.name, content=upload.read(), uploaded_by=request.user
            )
        except ValidationError as error:
            _apply_errors(error, form, "file")
        else:
            return redirect("followup:contact_import_preview", public_id=contact_import.public_id)
    intro = _("Du får se en förhandsgranskning med eventuella fel per rad. Inget sparas förrän du bekräftar.")
    context = _form_page(form, _("Importera kontaktlista"), _("Förhandsgranska"), intro=intro)
    return render(request, "followup/form_page.html", {**context, "multipart": True})


@login_required
@require_http_methods(["GET", "POST"])
def contact_import_preview(request, public_id):
    _require(request.user, "partnership.manage_district_contacts")
    contact_import = information.get_contact_import_for(request.user, public_id)
    error_message = None
    if request.method == "POST":
        try:
            done = information.district_contact_import_confirm(contact_import=contact_import)
        except ValidationError as error:
            error_message = " ".join(error.messages)
        else:
            messages.success(
                request,
                _("Kontaktlistan är importerad: %(c)s nya och %(u)s uppdaterade.")
                % {"c": done.created_count, "u": done.updated_count},
            )
            return redirect("followup:contacts")
    return render(request, "followup/contact_import_preview.html", {"import": contact_import, "error": error_message})


@login_required
@require_GET
def contact_export(request, file_format):
    _require(request.user, "partnership.manage_district_contacts")
    if file_format not in ("csv", "xlsx"):
        raise Http404
    if file_format == "xlsx":
        content = information.contacts_export_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, content_type = information.contacts_export_csv(), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kontaktlista.{file_format}"'
    return response


# --- Breakfast information meetings ------------------------------------------------------------


@login_required
@require_GET
def information_list(request):
    _require(request.user, "partnership.view_information_meetings")
    agreement = _agreement_for(request.user)
    context = {
        "meetings": information.information_meetings_for(request.user).filter(agreement=agreement),
        "years": information.information_years(agreement),
        "may_manage": can(request.user, "partnership.manage_information_meetings"),
        "per_year": information.MEETINGS_PER_YEAR,
    }
    return render(request, "followup/information_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def information_create(request):
    _require(request.user, "partnership.manage_information_meetings")
    agreement = _agreement_for(request.user)
    form = InformationMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = information.information_meeting_plan(
                agreement=agreement, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(error, form)
        else:
            messages.success(request, _("Frukostmötet är planerat."))
            return redirect("followup:information_detail", public_id=meeting.public_id)
    return render(request, "followup/form_page.html", _form_page(form, _("Planera frukostmöte"), _("Planera")))


@login_required
@require_GET
def information_detail(request, public_id):
    _require(request.user, "partnership.view_information_meetings")
    meeting = information.get_information_meeting_for(request.user, public_id)
    context = {
        "meeting": meeting,
        "signups": meeting.signups.select_related("district"),
        "may_manage": can(request.user, "partnership.manage_information_meetings"),
        "signup_form": SignupForm(),
        "contacts_count": DistrictContact.objects.filter(is_active=True).count(),
        "is_past": meeting.starts_at <= timezone.now(),
    }
    return render(request, "followup/information_detail.html", context)


def _information_action(request, public_id, action, success):
    _require(request.user, "partnership.manage_information_meetings")
    meeting = information.get_information_meeting_for(request.user, public_id)
    try:
        action(meeting)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("followup:information_detail", public_id=meeting.public_id)


@login_required
@require_POST
def information_invite(request, public_id):
    return _information_action(
        request,
        public_id,
        lambda meeting: information.information_meeting_send_invitations(meeting=meeting),
        _("Inbjudningarna skickas till kontaktlistan."),
    )


@login_required
@require_POST
def information_signup(request, public_id):
    form = SignupForm(request.POST)

    def action(meeting):
        if not form.is_valid():
            raise ValidationError([message for errors in form.errors.values() for message in errors])
        information.information_signup_add(meeting=meeting, **form.cleaned_data)

    return _information_action(request, public_id, action, _("Anmälan är registrerad."))


@login_required
@require_POST
def information_attendance(request, public_id):
    attended = {int(value) for value in request.POST.getlist("attended") if value.isdigit()}
    return _information_action(
        request,
        public_id,
        lambda meeting: information.information_attendance_record(meeting=meeting, attended_ids=attended),
        _("Närvaron är registrerad."),
    )


# --- Follow-up report ----------------------------------------------------------------------------


def _report_years(agreement):
    last = min(agreement.ends_on.year, timezone.localdate().year)
    return list(range(agreement.starts_on.year, max(last, agreement.starts_on.year) + 1))


@login_required
@require_GET
def report(request):
    _require(request.user, "partnership.view_followup_report")
    agreement = _agreement_for(request.user)
    years = _report_years(agreement)
    form = ReportForm(request.GET or None, years=years, initial={"year": years[-1]})
    year, term = (form.cleaned_data["year"], form.cleaned_data["term"]) if form.is_valid() else (years[-1], "")
    context = {
        "form": form,
        "year": year,
        "term": term,
        "report": followup_report.followup_report_data(agreement=agreement, year=year, term=term),
        "generated": followup_report.followup_reports_for(request.user)[:10],
    }
    return render(request, "followup/report.html", context)


@login_required
@require_POST
def report_generate(request):
    _require(request.user, "partnership.view_followup_report")
    agreement = _agreement_for(request.user)
    form = ReportForm(request.POST, years=_report_years(agreement))
    if not form.is_valid():
        messages.error(request, _("Välj år och period."))
        return redirect("followup:report")
    try:
        made = followup_report.followup_report_request(
            agreement=agreement,
            year=form.cleaned_data["year"],
            term=form.cleaned_data["term"],
            requested_by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("followup:report")
    return redirect("followup:report_status", public_id=made.public_id)


@login_required
@require_GET
def report_status(request, public_id):
    """The waiting page; with htmx it polls itself and swaps in the partial until done."""
    _require(request.user, "partnership.view_followup_report")
    made = followup_report.get_report_for(request.user, public_id)
    template = "followup/_report_status.html" if request.htmx else "followup/report_status.html"
    return render(request, template, {"made": made})


@login_required
@require_GET
def report_download(request, public_id):
    _require(request.user, "partnership.view_followup_report")
    made = followup_report.get_report_for(request.user, public_id)
    if not made.pdf:
        raise Http404
    filename = f"uppfoljningsrapport-{made.year}{'-' + made.term if made.term else ''}.pdf"
    return FileResponse(made.pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
