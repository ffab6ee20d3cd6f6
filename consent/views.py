import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnership.access import can

from . import selectors, services
from .forms import AccessLogFilterForm, ReviewOutcomeForm, SampleForm
from .models import LogReview


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
    page = Paginator(entries, 100).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
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
