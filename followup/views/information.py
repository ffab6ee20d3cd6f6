"""Information work: the city's contact list (import/export) and the information meetings."""

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
from partnership.models import Role
from partnership.selectors import agreement_to_view

from .. import information
from ..forms import (
    ContactForm,
    ContactImportForm,
    InformationMeetingForm,
    InvitationForm,
    SignupForm,
)
from ..models import DistrictContact
from ._common import _form_page

CONTACT_PAGE_SIZE = 50
MEETING_PAGE_SIZE = 25

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


# --- Information meetings ------------------------------------------------------------------------


@login_required
@require_GET
def information_list(request):
    require_permission(request.user, "followup.list_information_meetings")
    # The three a year of IOP 3.1.2 are counted for the IOP the user's organisation is party to.
    iop = information.information_iop_for(request.user)
    page = Paginator(information.information_meetings_for(request.user), MEETING_PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    context = {
        "meetings": page.object_list,
        "page": page,
        "iop": iop,
        "years": information.information_years(iop) if iop else [],
        "may_plan": can(request.user, "followup.plan_information_meeting"),
        "per_year": information.MEETINGS_PER_YEAR,
    }
    return render(request, "followup/information_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def information_create(request):
    require_permission(request.user, "followup.plan_information_meeting")
    agreements = information.information_agreements_for(request.user)
    membership = request.user.membership
    if membership.role == Role.COORDINATOR:
        own_label, initial = _("Ingen överenskommelse: ett möte för hela staden"), None
    else:
        # A provider plans under its IOP or arrangement in force, as Bris always has, unless it
        # chooses its own meeting outside them.
        own_label = _("Ingen överenskommelse: %(organisation)s eget möte") % {"organisation": membership.organisation}
        initial = agreement_to_view(agreements)
    form = InformationMeetingForm(
        request.POST or None, agreements=agreements, own_label=own_label, initial={"agreement": initial}
    )
    if request.method == "POST" and form.is_valid():
        agreement = form.cleaned_data.pop("agreement")
        try:
            meeting = information.information_meeting_plan(
                agreement=agreement,
                organiser=None if agreement else membership.organisation,
                created_by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Frukostmötet är planerat."))
            return redirect("followup:information_detail", public_id=meeting.public_id)
    return render(request, "followup/form_page.html", _form_page(form, _("Planera frukostmöte"), _("Planera")))


def _information_meeting(request, public_id, permission):
    """The meeting through the user's scope (404 outside it), then the permission on it."""
    require_permission(request.user, "followup.list_information_meetings")
    meeting = information.get_information_meeting_for(request.user, public_id)
    require_permission(request.user, permission, meeting)
    return meeting


@login_required
@require_GET
def information_detail(request, public_id):
    meeting = _information_meeting(request, public_id, "followup.view_information_meeting")
    counts = information.information_invitation_counts(meeting)
    context = {
        "meeting": meeting,
        "signups": meeting.signups.select_related("district"),
        "may_manage": can(request.user, "followup.manage_information_meeting", meeting),
        "signup_form": SignupForm(),
        "invitation_form": InvitationForm(counts=counts),
        "counts": counts,
        "contacts_count": sum(count.contacts for count in counts),
        "is_past": meeting.starts_at <= timezone.now(),
    }
    return render(request, "followup/information_detail.html", context)


def _information_action(request, public_id, action, success):
    meeting = _information_meeting(request, public_id, "followup.manage_information_meeting")
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
    form = InvitationForm(request.POST)

    def action(meeting):
        if not form.is_valid():
            raise ValidationError([message for errors in form.errors.values() for message in errors])
        information.information_meeting_send_invitations(
            meeting=meeting, contact_kinds=form.cleaned_data["contact_kinds"], by=request.user
        )

    return _information_action(request, public_id, action, _("Inbjudningarna skickas till de valda kontakterna."))


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
