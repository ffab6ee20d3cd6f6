"""The follow-up report: the page, the PDF made in the background, its progress and download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnership.access import require_permission

from .. import report as followup_report
from ..cooperation import agreements_for
from ..forms import (
    ReportForm,
)
from ._common import AGREEMENT_PARAM, _agreement_for

# --- Follow-up report ----------------------------------------------------------------------------


def _report_years(agreement):
    last = min(agreement.ends_on.year, timezone.localdate().year)
    return list(range(agreement.starts_on.year, max(last, agreement.starts_on.year) + 1))


@login_required
@require_GET
def report(request):
    require_permission(request.user, "partnership.view_followup_report")
    agreement = _agreement_for(request.user, request.GET.get(AGREEMENT_PARAM))
    years = _report_years(agreement)
    form = ReportForm(
        request.GET or None,
        years=years,
        agreements=list(agreements_for(request.user).order_by("starts_on")),
        initial={"year": years[-1], AGREEMENT_PARAM: str(agreement.public_id)},
    )
    year, term = (form.cleaned_data["year"], form.cleaned_data["term"]) if form.is_valid() else (years[-1], "")
    context = {
        "agreement": agreement,
        "agreement_param": AGREEMENT_PARAM,
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
    require_permission(request.user, "partnership.view_followup_report")
    agreement = _agreement_for(request.user, request.POST.get(AGREEMENT_PARAM))
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
    require_permission(request.user, "partnership.view_followup_report")
    made = followup_report.get_report_for(request.user, public_id)
    template = "followup/_report_status.html" if request.htmx else "followup/report_status.html"
    return render(request, template, {"made": made})


@login_required
@require_GET
def report_download(request, public_id):
    require_permission(request.user, "partnership.view_followup_report")
    made = followup_report.get_report_for(request.user, public_id)
    if not made.pdf:
        raise Http404
    filename = f"uppfoljningsrapport-{made.year}{'-' + made.term if made.term else ''}.pdf"
    return FileResponse(made.pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
