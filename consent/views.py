import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnership.access import can, require_permission
from partnership.forms import apply_service_errors
from partnership.models import AccessLogEntry
from partnership.pagination import AFTER, BEFORE, keyset_page
from partnership.services import access_log_record
from partnership.uploads import document_response
from referrals import selectors as referral_selectors
from referrals.forms import ReasonForm

from . import selectors, services
from .forms import AccessLogFilterForm, ConcernForm, ConsentForm, ReviewOutcomeForm, SampleForm
from .models import GuardianConsent, LogReview

ACCESS_LOG_PAGE_SIZE = 100


def _require_reviewer(user):
    if not can(user, "consent.review_access_log"):
        raise PermissionDenied


def _filters(request):
    form = AccessLogFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@login_required
@require_GET
def access_log(request):
    _require_reviewer(request.user)
    form, filters = _filters(request)
    entries = selectors.access_log_search(user=request.user, filters=filters)
    # Keyset pages: no COUNT of a log that grows by millions of rows a year.
    page = keyset_page(entries, ordering=["-occurred_at", "-pk"], params=request.GET, size=ACCESS_LOG_PAGE_SIZE)
    query = request.GET.copy()
    for name in (AFTER, BEFORE):
        query.pop(name, None)
    reviews = LogReview.objects.filter(reviewer=request.user)[:20]
    context = {"form": form, "page": page, "query": query.urlencode(), "sample_form": SampleForm(), "reviews": reviews}
    return render(request, "consent/access_log.html", context)


@login_required
@require_POST
def log_review_create(request):
    _require_reviewer(request.user)
    form, filters = _filters(request)
    sample_form = SampleForm(request.POST)
    if not sample_form.is_valid():
        messages.error(request, " ".join(sample_form.errors.get("sample_size", [])))
        return redirect(f"{reverse('consent:access_log')}?{request.GET.urlencode()}")
    today = timezone.localdate()
    description = "; ".join(f"{form.fields[name].label}: {value}" for name, value in filters.items() if value)
    try:
        review = services.log_review_start(
            reviewer=request.user,
            entries=selectors.access_log_search(user=request.user, filters=filters),
            sample_size=sample_form.cleaned_data["sample_size"],
            filter_description=description,
            period_start=filters.get("date_from") or today - datetime.timedelta(days=30),
            period_end=filters.get("date_to") or today,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("consent:access_log")
    return redirect("consent:log_review", review_id=review.pk)


@login_required
@require_http_methods(["GET", "POST"])
def log_review(request, review_id):
    _require_reviewer(request.user)
    review = selectors.get_log_review_for(request.user, review_id)
    if request.method == "POST" and review.completed_at:
        # The form is no longer on the page: say why there, not beside a hidden field.
        messages.error(request, _("Kontrollen är redan avslutad."))
        return redirect("consent:log_review", review_id=review.pk)
    form = ReviewOutcomeForm(request.POST or None, initial={"outcome": review.outcome})
    if request.method == "POST" and form.is_valid():
        try:
            services.log_review_complete(review=review, outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            form.add_error("outcome", error)
        else:
            messages.success(request, _("Loggkontrollen är dokumenterad."))
            return redirect("consent:log_review", review_id=review.pk)
    entries = review.sample.order_by("occurred_at")
    return render(request, "consent/log_review.html", {"review": review, "entries": entries, "form": form})


# --- Consent and concern reports on a referral's page (the district wall holds: 404 outside it) ---


def _log_guardian_page(user, referral, what) -> None:
    # A guardian's name identifies the child as surely as the child's own.
    access_log_record(
        user=user,
        referral=referral,
        action=AccessLogEntry.Action.VIEW,
        legal_basis=referral_selectors.identity_legal_basis(user, referral),
        what=what,
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_create(request, public_id, guardian_id):
    referral = referral_selectors.get_referral_for(request.user, public_id)
    require_permission(request.user, "consent.record_consent", referral)
    guardian = get_object_or_404(referral.guardians, pk=guardian_id)
    form = ConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(referral=referral, guardian=guardian, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Samtycket från %(name)s är registrerat.") % {"name": guardian.name})
            return redirect("referrals:detail", public_id=referral.public_id)
    if request.method == "GET":  # a refused POST re-shows what the GET already logged
        _log_guardian_page(request.user, referral, _("Samtycke från vårdnadshavare"))
    return render(request, "consent/consent_form.html", {"form": form, "referral": referral, "guardian": guardian})


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, public_id, consent_id):
    referral = referral_selectors.get_referral_for(request.user, public_id)
    require_permission(request.user, "consent.record_consent", referral)
    consent = get_object_or_404(GuardianConsent.objects.select_related("guardian"), pk=consent_id, referral=referral)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(consent=consent, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="reason")
        else:
            messages.success(request, _("Samtycket är återkallat. Bris kan inte längre se barnet."))
            return redirect("referrals:detail", public_id=referral.public_id)
    if request.method == "GET":  # a refused POST re-shows what the GET already logged
        _log_guardian_page(request.user, referral, _("Återkalla samtycke"))
    return render(request, "consent/consent_withdraw.html", {"form": form, "referral": referral, "consent": consent})


@login_required
@require_GET
def consent_document(request, public_id, consent_id):
    referral = referral_selectors.get_referral_for(request.user, public_id)
    require_permission(request.user, "consent.record_consent", referral)
    consent = get_object_or_404(GuardianConsent, pk=consent_id, referral=referral)
    if not consent.document:
        raise Http404
    access_log_record(
        user=request.user,
        referral=referral,
        action=AccessLogEntry.Action.EXPORT,
        legal_basis=_("Egen stadsdels ärende"),
        what=_("Inskannat samtycke"),
    )
    return document_response(consent.document, download_name="samtycke")


@login_required
@require_http_methods(["GET", "POST"])
def concern_create(request, public_id):
    referral = referral_selectors.get_referral_for(request.user, public_id)
    require_permission(request.user, "consent.report_concern", referral)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.concern_report_create(
                referral=referral, reported_by=request.user, justification=form.cleaned_data["justification"]
            )
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="justification")
        else:
            if selectors.concern_report_recipients(report):
                messages.success(request, _("Orosanmälan är skickad till stadsdelen och loggad."))
            else:
                messages.error(
                    request,
                    _(
                        "Orosanmälan är sparad och loggad men kan inte skickas: ingen i stadsdelen har en "
                        "e-postadress. Samordnaren och verksamhetsansvarig larmas. Ring stadsdelen nu."
                    ),
                )
            return redirect("referrals:detail", public_id=referral.public_id)
    reference = selectors.duty_to_report_reference_on(day=timezone.localdate(), agreement=referral.agreement)
    context = {"form": form, "referral": referral, "reference": reference}
    return render(request, "consent/concern_form.html", context)
