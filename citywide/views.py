"""Pages of the city as a whole: the coordinator's demand-and-capacity dashboard and its exports,
the national statistics (a documented open format), the comparison of evaluation outcomes across
providers, and a provider's own outcomes beside the city's."""

import json
import math
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from followup.evaluation import instrument_for_audience_age, instruments_in_use
from followup.forms import answers_from
from partnership.access import require_permission
from partnership.forms import apply_service_errors

from . import charts, demand, evaluation, exports, selectors, services
from .forms import DemandFilterForm, ParticipantAnswerForm

# Target groups per page of the dashboard's table (each with every district).
BLOCKS_PER_PAGE = 2


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("sida", "1")))
    except ValueError:
        return 1


def _dashboard(request):
    form = DemandFilterForm(request.GET or None)
    term, target_group = form.selection()
    return form, demand.demand_dashboard(term=term, target_group=target_group)


@login_required
@require_GET
def dashboard(request):
    require_permission(request.user, "citywide.view_demand")
    form = DemandFilterForm(request.GET or None)
    term, target_group = form.selection()
    page_number = _page_number(request)
    # The export links carry the chosen term and target group, nothing else of the address.
    query = urlencode({"termin": demand.term_code(term), "malgrupp": target_group.code if target_group else ""})

    def body() -> str:
        # Nothing in it depends on who asks: every coordinator sees the same aggregates.
        dashboard = demand.demand_dashboard(term=term, target_group=target_group)
        context = {
            "form": form,
            "dashboard": dashboard,
            "page": Paginator(dashboard.blocks, BLOCKS_PER_PAGE).get_page(page_number),
            "query": query if request.GET else "",
            "waiting_chart": charts.svg_waiting_by_district(dashboard.waiting_by_district),
            "trend_chart": charts.svg_demand_and_places(dashboard.trend),
            "without_offer": [block for block in dashboard.blocks if block.districts_without_offer],
            "computed_at": timezone.localtime(),
            "cache_minutes": math.ceil(settings.CITYWIDE_CACHE_SECONDS / 60),
        }
        return render_to_string("citywide/_demand_body.html", context)

    if form.is_bound and not form.is_valid():
        html = body()  # the form's errors belong to this request only
    else:
        html = selectors.kept_for_the_city(
            "demand",
            body,
            term=demand.term_code(term),
            target_group=target_group.code if target_group else "",
            page=page_number,
            filtered=bool(request.GET),
        )
    # Our own template's output, escaped when it was rendered.
    return render(request, "citywide/demand.html", {"body": mark_safe(html)})  # noqa: S308 # nosec B308 B703


@login_required
@require_GET
def demand_export(request, file_format):
    require_permission(request.user, "citywide.view_demand")
    if file_format not in ("csv", "xlsx"):
        raise Http404
    _form, dashboard = _dashboard(request)
    rows = exports.dashboard_rows(dashboard)
    name = f"efterfragan-{demand.term_code(dashboard.term)}"
    if file_format == "csv":
        response = HttpResponse(exports.rows_to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.rows_to_xlsx(rows, title=dashboard.term_label),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


@login_required
@require_GET
def national(request):
    require_permission(request.user, "citywide.export_national_statistics")
    context = {
        "fields": exports.NATIONAL_FIELDS,
        "csv_url": request.build_absolute_uri(reverse("citywide:national_csv")),
        "package_url": request.build_absolute_uri(reverse("citywide:national_datapackage")),
    }
    return render(request, "citywide/national.html", context)


@login_required
@require_GET
def national_csv(request):
    require_permission(request.user, "citywide.export_national_statistics")
    response = HttpResponse(exports.national_statistics_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gruppstod-statistik-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


@login_required
@require_GET
def national_datapackage(request):
    require_permission(request.user, "citywide.export_national_statistics")
    package = exports.national_datapackage(csv_url=request.build_absolute_uri(reverse("citywide:national_csv")))
    return HttpResponse(
        json.dumps(package, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )


@login_required
@require_GET
def evaluation_comparison(request):
    require_permission(request.user, "citywide.compare_evaluations")
    years = list(range(timezone.localdate().year, timezone.localdate().year - 6, -1))
    try:
        year = int(request.GET.get("ar", ""))
    except ValueError:
        year = None
    year = year if year in years else None
    context = {"comparison": evaluation.evaluation_comparison(year=year), "years": years, "year": year}
    return render(request, "citywide/evaluation_comparison.html", context)


@login_required
@require_GET
def evaluation_own(request):
    require_permission(request.user, "citywide.view_own_evaluation")
    provider = request.user.membership.organisation
    context = {"provider": provider, "rows": evaluation.evaluation_own_against_city(provider=provider)}
    return render(request, "citywide/evaluation_own.html", context)


PARTICIPANTS_PER_PAGE = 50


@login_required
@require_GET
def participant_evaluations(request):
    """The children the user's provider took in, with the city's questionnaires that fit each."""
    require_permission(request.user, "citywide.evaluate_participants")
    page = Paginator(selectors.participants_to_evaluate_for(request.user), PARTICIPANTS_PER_PAGE).get_page(
        _page_number(request)
    )
    instruments = list(instruments_in_use())
    rows = [
        (participant, [i for i in instruments if instrument_for_audience_age(i, participant.child_age)])
        for participant in page
    ]
    return render(request, "citywide/participant_evaluations.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def participant_answer(request, public_id, instrument_id):
    participant = selectors.get_participant_for(request.user, public_id)
    require_permission(request.user, "citywide.evaluate_participant", participant)
    instrument = get_object_or_404(instruments_in_use(), public_id=instrument_id)
    form = ParticipantAnswerForm(
        request.POST or None, instrument=instrument, initial={"answered_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_answer_set_record(
                participant=participant,
                instrument=instrument,
                moment=form.cleaned_data["moment"],
                answers=answers_from(form.cleaned_data),
                entered_by=request.user,
                answered_on=form.cleaned_data["answered_on"],
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Svaren är sparade."))
            return redirect("citywide:participant_evaluations")
    context = {"participant": participant, "instrument": instrument, "form": form}
    return render(request, "citywide/participant_answer.html", context)
