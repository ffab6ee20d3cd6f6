from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnership.access import can, require_permission
from partnership.forms import apply_service_errors
from partnership.models import AccessLogEntry, District
from partnership.pagination import AFTER, BEFORE, keyset_page
from partnership.selectors import agreement_current, agreement_current_for
from partnership.services import access_log_record, access_log_record_many

from . import purge, selectors, services
from .forms import (
    GuardianForm,
    GuardianFormSet,
    IdentityNumberSearchForm,
    InterestRegistrationForm,
    PurgeConfirmForm,
    ReasonForm,
    ReferralFilterForm,
    ReferralForm,
    TransitionForm,
    looks_like_identity_number,
)
from .models import PurgeRecord, PurgeRule, ReferralStatus
from .rules import may_transition

PAGE_SIZE = 50


def _referral_list_page(request, *, rows=None, identity_errors=()):
    require_permission(request.user, "referrals.list_referrals")
    data = request.GET.copy()
    if looks_like_identity_number(data.get("q", "")):
        # It reached this address already; it must not reach the page, its links or a search.
        data.pop("q")
        messages.warning(
            request,
            _("Sök inte personnummer i namnfältet: det hamnar i adressen. Använd fältet för personnummer."),
        )
    form = ReferralFilterForm(data or None, districts=selectors.referral_filter_districts(request.user))
    page = None  # rows found by personnummer come on one page
    if rows is None:
        filters = form.cleaned_data if form.is_valid() else {}
        # Keyset pages in the order of an index: a provider sees every district's referrals, and a
        # COUNT over them (or an OFFSET deep into them) would read them all on every page.
        page = keyset_page(
            selectors.referral_search(user=request.user, filters=filters),
            ordering=["-created_at", "-pk"],
            params=data,
            size=PAGE_SIZE,
        )
        rows = selectors.referral_rows(user=request.user, referrals=page.object_list)
    shown_by_basis: dict[str, list] = {}
    for row in rows:
        if row.show_identity:
            basis = selectors.identity_legal_basis(request.user, row.referral)
            shown_by_basis.setdefault(basis, []).append(row.referral)
    for legal_basis, shown in shown_by_basis.items():
        access_log_record_many(
            user=request.user,
            referrals=shown,
            action=AccessLogEntry.Action.VIEW,
            legal_basis=legal_basis,
            what=_("Anmälningslista"),
        )
    for name in (AFTER, BEFORE):
        data.pop(name, None)
    # Always an empty form: a typed number is never echoed back into the page.
    identity_form = IdentityNumberSearchForm() if can(request.user, "referrals.search_identity_number") else None
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "query": data.urlencode(),
        "identity_form": identity_form,
        "identity_errors": identity_errors,
    }
    return render(request, "referrals/referral_list.html", context)


@login_required
@require_GET
def referral_list(request):
    return _referral_list_page(request)


@login_required
@require_POST
def referral_identity_search(request):
    """The district finds a child by personnummer. POST (CSRF-protected), so the number is never
    in an address, the browser history or a server log; one match opens the referral (its address
    holds only the public id), several are listed on this response. Access-logged without it."""
    require_permission(request.user, "referrals.search_identity_number")
    form = IdentityNumberSearchForm(request.POST)
    if not form.is_valid():
        return _referral_list_page(request, identity_errors=form.errors["identity_number"])
    found = list(
        selectors.referrals_with_identity_number(
            user=request.user, identity_hash=form.cleaned_data["identity_number"].hash
        )
    )
    access_log_record_many(
        user=request.user,
        referrals=found,
        action=AccessLogEntry.Action.VIEW,
        legal_basis=_("Egen stadsdels ärende"),
        what=_("Sökning på personnummer"),
    )
    if not found:
        access_log_record(
            user=request.user,
            action=AccessLogEntry.Action.VIEW,
            legal_basis=_("Egen stadsdels ärende"),
            what=_("Sökning på personnummer utan träff"),
        )
        return _referral_list_page(request, identity_errors=[_("Ingen anmälan i din stadsdel har det personnumret.")])
    if len(found) == 1:
        return redirect("referrals:detail", public_id=found[0].public_id)
    rows = selectors.referral_rows(user=request.user, referrals=found)
    return _referral_list_page(request, rows=rows)


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request):
    require_permission(request.user, "referrals.add_referral")
    initial = {"case_officer_name": request.user.get_full_name(), "case_officer_email": request.user.email}
    form = ReferralForm(request.POST or None, initial=initial)
    guardians = GuardianFormSet(request.POST or None, prefix="guardians")
    guardian_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and guardians.is_valid():
        try:
            referral = services.referral_submit(
                submitted_by=request.user,
                agreement=agreement_current(),
                district=request.user.membership.district,
                **services.submission_arguments(form.cleaned_data, guardians.cleaned_data),
            )
        except ValidationError as error:
            guardian_errors = error.message_dict.pop("guardians", []) if hasattr(error, "error_dict") else []
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Anmälan är registrerad med pseudonymen %(p)s.") % {"p": referral.pseudonym})
            return redirect("referrals:detail", public_id=referral.public_id)
    context = {"form": form, "guardians": guardians, "guardian_errors": guardian_errors}
    return render(request, "referrals/referral_form.html", context)


@login_required
@require_GET
def referral_detail(request, public_id):
    referral = selectors.get_referral_for(request.user, public_id)
    require_permission(request.user, "referrals.view_referral", referral)
    detail = selectors.referral_detail(user=request.user, referral=referral)
    if detail.show_identity:
        access_log_record(
            user=request.user,
            referral=referral,
            action=AccessLogEntry.Action.VIEW,
            legal_basis=detail.legal_basis,
            what=_("Anmälan"),
        )
    transitions = [
        status
        for status in (ReferralStatus.WAITING_LIST, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN)
        if status in services.ALLOWED_TRANSITIONS[referral.status] and may_transition(request.user, referral, status)
    ]
    return render(request, "referrals/referral_detail.html", {"detail": detail, "transitions": transitions})


def _guardian_page(request, referral, guardian=None):
    """Add (guardian None) or correct a guardian of the district's own referral."""
    require_permission(request.user, "referrals.change_guardians", referral)
    initial = {name: getattr(guardian, name) for name in services.GUARDIAN_FIELDS} if guardian else None
    form = GuardianForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if guardian is None:
                services.guardian_add(referral=referral, by=request.user, **form.cleaned_data)
            else:
                services.guardian_change(guardian=guardian, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="name")
        else:
            messages.success(request, _("Vårdnadshavarna är uppdaterade."))
            return redirect("referrals:detail", public_id=referral.public_id)
    if request.method == "GET" and guardian is not None:  # a guardian's name identifies the child
        access_log_record(
            user=request.user,
            referral=referral,
            action=AccessLogEntry.Action.VIEW,
            legal_basis=selectors.identity_legal_basis(request.user, referral),
            what=_("Vårdnadshavare"),
        )
    context = {"form": form, "referral": referral, "guardian": guardian}
    return render(request, "referrals/guardian_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def guardian_add(request, public_id):
    return _guardian_page(request, selectors.get_referral_for(request.user, public_id))


@login_required
@require_http_methods(["GET", "POST"])
def guardian_change(request, public_id, guardian_id):
    referral = selectors.get_referral_for(request.user, public_id)
    require_permission(request.user, "referrals.change_guardians", referral)
    return _guardian_page(request, referral, get_object_or_404(referral.guardians, pk=guardian_id))


@login_required
@require_POST
def referral_transition(request, public_id):
    referral = selectors.get_referral_for(request.user, public_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    to_status = form.cleaned_data["to_status"]
    if not may_transition(request.user, referral, to_status):
        raise PermissionDenied
    try:
        services.referral_transition(
            referral=referral, to_status=to_status, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Status ändrad till ”%(status)s”.") % {"status": ReferralStatus(to_status).label})
    return redirect("referrals:detail", public_id=referral.public_id)


@login_required
@require_POST
def waiting_list_confirm(request, public_id):
    referral = selectors.get_referral_for(request.user, public_id)
    require_permission(request.user, "referrals.confirm_waiting_list", referral)
    try:
        services.referral_waiting_list_confirm(referral=referral, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Bekräftat: barnet står kvar på väntelistan."))
    return redirect("referrals:detail", public_id=referral.public_id)


@login_required
@require_GET
def interest_list(request):
    require_permission(request.user, "referrals.list_interest_registrations")
    registrations = selectors.interest_registrations_visible_to(request.user)
    page = keyset_page(registrations, ordering=["-created_at", "-pk"], params=request.GET, size=PAGE_SIZE)
    return render(request, "referrals/interest_list.html", {"registrations": page.object_list, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def interest_create(request):
    require_permission(request.user, "referrals.add_interest_registration")
    form = InterestRegistrationForm(request.POST or None, districts=District.objects.filter(is_active=True))
    if request.method == "POST" and form.is_valid():
        services.interest_registration_record(
            recorded_by=request.user, agreement=agreement_current_for(request.user), **form.cleaned_data
        )
        messages.success(request, _("Intresseanmälan är registrerad och skickad till stadsdelen för bekräftelse."))
        return redirect("referrals:interest_list")
    return render(request, "referrals/interest_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def interest_confirm(request, public_id):
    """The district confirms a foster family's interest by completing a referral for the child."""
    registration = selectors.get_interest_registration_for(request.user, public_id)
    require_permission(request.user, "referrals.decide_interest_registration", registration)
    initial = {
        "first_name": registration.child_first_name,
        "foster_contact_person": registration.foster_contact_person,
        "foster_phone": registration.foster_phone,
        "foster_email": registration.foster_email,
        "case_officer_name": request.user.get_full_name(),
        "case_officer_email": request.user.email,
        "needs_other": registration.message,
    }
    form = ReferralForm(request.POST or None, initial=initial)
    guardians = GuardianFormSet(request.POST or None, prefix="guardians")
    guardian_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and guardians.is_valid():
        try:
            with transaction.atomic():
                referral = services.interest_registration_confirm(
                    registration=registration,
                    by=request.user,
                    **services.submission_arguments(form.cleaned_data, guardians.cleaned_data),
                )
        except ValidationError as error:
            guardian_errors = error.message_dict.pop("guardians", []) if hasattr(error, "error_dict") else []
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Intresseanmälan är bekräftad och blev en anmälan."))
            return redirect("referrals:detail", public_id=referral.public_id)
    context = {"form": form, "guardians": guardians, "guardian_errors": guardian_errors, "registration": registration}
    return render(request, "referrals/referral_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def interest_reject(request, public_id):
    registration = selectors.get_interest_registration_for(request.user, public_id)
    require_permission(request.user, "referrals.decide_interest_registration", registration)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.interest_registration_decide(
                registration=registration, by=request.user, confirm=False, note=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="reason")
        else:
            messages.success(request, _("Intresseanmälan är markerad som inte aktuell."))
            return redirect("referrals:interest_list")
    return render(request, "referrals/interest_reject.html", {"form": form, "registration": registration})


# --- Data lifecycle: purge or return (IOP 2.3) ----------------------------------------------------


@login_required
@require_GET
def purge_due_list(request):
    require_permission(request.user, "referrals.list_purge_due")
    page = Paginator(selectors.purge_due_queryset(user=request.user), PAGE_SIZE).get_page(request.GET.get("sida"))
    rows = selectors.purge_due_rows(referrals=page.object_list)
    records = (
        PurgeRecord.objects.filter(referral__agreement__provider_id=request.user.membership.organisation_id)
        .select_related("purged_by")
        .order_by("-purged_at", "-pk")[:20]
    )
    interest = selectors.interest_registration_purge_overview(user=request.user, on=timezone.localdate())
    waiting = selectors.waiting_list_review_rows(user=request.user, on=timezone.localdate())
    context = {
        "rows": rows,
        "waiting": waiting,
        "review_days": settings.WAITING_LIST_REVIEW_DAYS,
        "confirm_days": settings.WAITING_LIST_CONFIRM_DAYS,
        "page": page,
        "records": records,
        "interest": interest,
        "grace_days": settings.PURGE_GRACE_DAYS,
        "lapse_days": settings.INTEREST_REGISTRATION_LAPSE_DAYS,
    }
    return render(request, "referrals/purge_due_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_purge_now(request, public_id):
    """Gallra nu: asks first, naming the pseudonym and what will be deleted; purges only on a
    POST that carries the confirmation."""
    referral = selectors.get_referral_for(request.user, public_id)
    require_permission(request.user, "referrals.purge_referral", referral)
    form = PurgeConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            purge.referral_purge(referral=referral, by=request.user, rule=PurgeRule.MANUAL)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Uppgifterna om %(p)s är gallrade.") % {"p": referral.pseudonym})
        return redirect("referrals:purge_due")
    context = {"form": form, "preview": selectors.purge_preview(referral), "grace_days": settings.PURGE_GRACE_DAYS}
    return render(request, "referrals/purge_confirm.html", context)


@login_required
@require_POST
def referral_return(request, public_id):
    referral = selectors.get_referral_for(request.user, public_id)
    require_permission(request.user, "referrals.return_referral", referral)
    try:
        purge.referral_return(referral=referral, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Uppgifterna om %(p)s är återförda. Stadsdelen kan nu hämta dem; därefter gallras de.")
            % {"p": referral.pseudonym},
        )
    return redirect("referrals:purge_due")


@login_required
@require_GET
def return_dossier_list(request):
    require_permission(request.user, "referrals.list_return_dossiers")
    dossiers = selectors.return_dossiers_visible_to(request.user).order_by("received_at", "-created_at", "-pk")
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(request, "referrals/return_dossier_list.html", {"dossiers": page.object_list, "page": page})


@login_required
@require_GET
def return_dossier_download(request, public_id):
    dossier = selectors.get_return_dossier_for(request.user, public_id)
    require_permission(request.user, "referrals.receive_return_dossier", dossier)
    if not dossier.document:
        raise Http404  # purged after it was received: the district holds its copy
    purge.return_dossier_receive(dossier=dossier, by=request.user)
    filename = f"aterforing-{dossier.referral.pseudonym}.pdf"
    return FileResponse(dossier.document.open("rb"), as_attachment=True, filename=filename)
