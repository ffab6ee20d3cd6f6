"""Evaluation pages: entry by leaders, one-time answer links and the public answer page, outcomes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from groups.models import GroupFormat, Placement
from partnership.access import can, require_permission
from partnership.forms import apply_service_errors
from partnership.models import AccessLogEntry
from partnership.pagination import keyset_page
from partnership.ratelimits import public_token_rate_limit
from partnership.services import access_log_record_many

from .. import evaluation
from .. import report as followup_report
from ..forms import (
    AnswerSetForm,
    EvaluationLinkForm,
    OutcomeFilterForm,
    PublicAnswerForm,
    answers_from,
)
from ..models import EvaluationAnswerSet, EvaluationInstrument
from ._common import _agreement_for

EVALUATION_PAGE_SIZE = 50

# --- Evaluation ----------------------------------------------------------------------------------


def _placed_children(user, group):
    """(referral, label) for the children placed in the group; names only where the consent gate
    allows, and every name shown is written to the access log."""

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
    require_permission(request.user, "partnership.list_evaluations")
    groups = evaluation.groups_with_evaluations_for(request.user)
    page = keyset_page(groups, ordering=["-starts_on", "-pk"], params=request.GET, size=EVALUATION_PAGE_SIZE)
    return render(request, "followup/evaluation_list.html", {"groups": page.object_list, "page": page})


@login_required
@require_GET
def group_evaluation(request, public_id):
    require_permission(request.user, "partnership.list_evaluations")  # a role without it: 403, not 404
    group = evaluation.get_group_for(request.user, public_id)
    require_permission(request.user, "partnership.view_group_evaluation", group)
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
    require_permission(request.user, "partnership.list_evaluations")  # a role without it: 403, not 404
    group = evaluation.get_group_for(request.user, public_id)
    require_permission(request.user, "partnership.enter_evaluation", group)
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
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Svaren är sparade."))
            return redirect("followup:group_evaluation", public_id=group.public_id)
    return render(request, "followup/answer_form.html", {"group": group, "instrument": instrument, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def link_create(request, public_id):
    require_permission(request.user, "partnership.list_evaluations")  # a role without it: 403, not 404
    group = evaluation.get_group_for(request.user, public_id)
    require_permission(request.user, "partnership.create_evaluation_link", group)
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
            apply_service_errors(error, form)
        else:
            # Shown once: only the token's hash is stored, so this page cannot be reloaded later.
            url = request.build_absolute_uri(reverse("followup:public_answer", kwargs={"token": token}))
            return render(request, "followup/link_created.html", {"group": group, "link": link, "url": url})
    return render(request, "followup/link_form.html", {"group": group, "form": form})


@login_required
@require_GET
def outcomes(request):
    require_permission(request.user, "partnership.view_evaluation_outcomes")

    answered = EvaluationAnswerSet.objects.filter(group=OuterRef("pk"))
    groups = evaluation.groups_with_evaluations_for(request.user).filter(Exists(answered))
    # One year at a time (the latest by default): a provider's whole history of groups would make
    # the page, its group choices and its sums grow with every year the app is used.
    agreement = _agreement_for(request.user)
    last = min(agreement.ends_on.year, timezone.localdate().year)
    years = list(range(max(last, agreement.starts_on.year), agreement.starts_on.year - 1, -1))
    chosen = request.GET.get("year", "")
    year = int(chosen) if chosen.isdigit() and int(chosen) in years else years[0]
    in_year = groups.filter(evaluation.group_year_filter(year))
    form = OutcomeFilterForm(
        request.GET or None, years=years, formats=GroupFormat.choices, groups=in_year, initial={"year": year}
    )
    selected = in_year
    if form.is_valid():
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
@public_token_rate_limit
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
            apply_service_errors(error, form)
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
