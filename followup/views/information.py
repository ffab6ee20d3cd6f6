"""Information work: the district contact list (import/export) and the breakfast meetings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnership.access import can, require_permission
from partnership.forms import apply_service_errors

from .. import information
from ..forms import (
    ContactForm,
    ContactImportForm,
    InformationMeetingForm,
    SignupForm,
)
from ..models import DistrictContact
from ._common import _agreement_for, _form_page

CONTACT_PAGE_SIZE = 50

# --- District contacts ---------------------------------------------------------------------------


@login_required
@require_GET
def contact_list(request):
    require_permission(request.user, "partnership.view_district_contacts")
    page = Paginator(information.contacts_list(), CONTACT_PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {
        "contacts": page.object_list,
        "page": page,
        "may_manage": can(request.user, "partnership.manage_district_contacts"),
    }
    return render(request, "followup/contact_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request):
    require_permission(request.user, "partnership.manage_district_contacts")
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            information.district_contact_save(**form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Kontaktpersonen är sparad."))
            return redirect("followup:contacts")
    return render(request, "followup/form_page.html", _form_page(form, _("Ny kontaktperson"), _("Spara")))


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, public_id):
    require_permission(request.user, "partnership.manage_district_contacts")
    contact = get_object_or_404(DistrictContact, public_id=public_id)
    initial = {f: getattr(contact, f) for f in ("kind", "organisation", "district", "name", "role", "email", "phone")}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            information.district_contact_save(contact=contact, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Kontaktpersonen är sparad."))
            return redirect("followup:contacts")
    return render(request, "followup/form_page.html", _form_page(form, _("Ändra kontaktperson"), _("Spara")))


@login_required
@require_http_methods(["GET", "POST"])
def contact_import(request):
    require_permission(request.user, "partnership.manage_district_contacts")
    form = ContactImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            contact_import = information.district_contact_import_upload(
                file_name=upload.name, content=upload.read(), uploaded_by=request.user
            )
        except ValidationError as error:
            apply_service_errors(error, form, "file")
        else:
            return redirect("followup:contact_import_preview", public_id=contact_import.public_id)
    intro = _("Du får se en förhandsgranskning med eventuella fel per rad. Inget sparas förrän du bekräftar.")
    context = _form_page(form, _("Importera kontaktlista"), _("Förhandsgranska"), intro=intro)
    return render(request, "followup/form_page.html", {**context, "multipart": True})


@login_required
@require_http_methods(["GET", "POST"])
def contact_import_preview(request, public_id):
    require_permission(request.user, "partnership.manage_district_contacts")
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
    require_permission(request.user, "partnership.manage_district_contacts")
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
    require_permission(request.user, "partnership.view_information_meetings")
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
    require_permission(request.user, "partnership.manage_information_meetings")
    agreement = _agreement_for(request.user)
    form = InformationMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = information.information_meeting_plan(
                agreement=agreement, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Frukostmötet är planerat."))
            return redirect("followup:information_detail", public_id=meeting.public_id)
    return render(request, "followup/form_page.html", _form_page(form, _("Planera frukostmöte"), _("Planera")))


@login_required
@require_GET
def information_detail(request, public_id):
    require_permission(request.user, "partnership.view_information_meetings")
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
    require_permission(request.user, "partnership.manage_information_meetings")
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
        lambda meeting: information.information_meeting_send_invitations(meeting=meeting, by=request.user),
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
