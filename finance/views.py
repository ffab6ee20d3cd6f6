from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnership.access import can, require_permission
from partnership.forms import apply_service_errors
from partnership.models import AccessLogEntry, Agreement, BackgroundJob, District, Organisation
from partnership.money import format_ore
from partnership.pdf import render_pdf
from partnership.reference_data import AGREEMENT_NAME, BUDGET_LINES_KR
from partnership.services import access_log_record, access_log_record_pseudonyms
from partnership.uploads import document_response

from . import selectors, services
from .forms import (
    AgreementForm,
    BudgetLineFormSet,
    CostChangeForm,
    CostForm,
    FeePaidForm,
    FeeVoidForm,
    PaymentPaidForm,
    ReasonForm,
    ReportRequestForm,
    SettlementForm,
    TravelCostForm,
)

PAGE_SIZE = 50


def _finance_user(request):
    # Group leaders and social workers have no finance pages: 403 before anything is looked up.
    require_permission(request.user, "finance.access")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Overview and years ---------------------------------------------------------------------------


@login_required
@require_GET
def overview(request):
    _finance_user(request)
    agreements = list(
        selectors.agreements_for(request.user).order_by("-starts_on").prefetch_related("budget_years", "budget_lines")
    )
    # Every agreement, and so every year of each, is listed; one may be picked to see it alone.
    chosen = request.GET.get("overenskommelse", "")
    shown = [agreement for agreement in agreements if str(agreement.public_id) == chosen] or agreements
    rows = [
        (agreement, [(year, selectors.budget_vs_actual(year)) for year in agreement.budget_years.all()])
        for agreement in shown
    ]
    may_pay = can(request.user, "finance.manage_payments")
    context = {
        "rows": rows,
        "agreements": agreements,
        "chosen": chosen if len(shown) == 1 and len(agreements) > 1 else "",
        "overdue": selectors.overdue_payments_for(request.user) if may_pay else [],
        "may_set_up": can(request.user, "finance.manage_agreements"),
    }
    return render(request, "finance/overview.html", context)


@login_required
@require_POST
def schedule_create(request, public_id):
    _finance_user(request)
    agreement = selectors.get_agreement_for(request.user, public_id)
    require_permission(request.user, "finance.create_advance_plan", agreement)
    try:
        services.budget_years_create(agreement=agreement, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Budgetåren och deras betalningsplaner är skapade."))
    return redirect("finance:overview")


@login_required
@require_GET
def year_detail(request, public_id):
    _finance_user(request)
    budget_year = selectors.get_budget_year_for(request.user, public_id)
    require_permission(request.user, "finance.view_budget_year", budget_year)
    page = Paginator(selectors.year_costs(budget_year), PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {
        "budget_year": budget_year,
        "budget": selectors.budget_vs_actual(budget_year),
        "page": page,
    }
    return render(request, "finance/year_detail.html", context)


@login_required
@require_POST
def year_close(request, public_id):
    _finance_user(request)
    budget_year = selectors.get_budget_year_for(request.user, public_id)
    require_permission(request.user, "finance.close_year", budget_year)
    try:
        services.budget_year_close(budget_year=budget_year, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Budgetåret %(year)s är stängt.") % {"year": budget_year.year})
    return redirect("finance:year", public_id=budget_year.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def year_reopen(request, public_id):
    _finance_user(request)
    budget_year = selectors.get_budget_year_for(request.user, public_id)
    require_permission(request.user, "finance.close_year", budget_year)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_year_reopen(budget_year=budget_year, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="reason")
        else:
            messages.success(request, _("Budgetåret %(year)s är återöppnat.") % {"year": budget_year.year})
            return redirect("finance:year", public_id=budget_year.public_id)
    return render(request, "finance/year_reopen.html", {"form": form, "budget_year": budget_year})


# --- Advance payments ----------------------------------------------------------------------------


@login_required
@require_GET
def payments(request, public_id):
    _finance_user(request)
    budget_year = selectors.get_budget_year_for(request.user, public_id)
    require_permission(request.user, "finance.manage_payments", budget_year)
    rows = selectors.payment_rows(budget_year)
    context = {
        "budget_year": budget_year,
        "rows": rows,
        "total_ore": sum(row.payment.amount_ore for row in rows),
        "paid_ore": sum(row.payment.amount_ore for row in rows if row.payment.paid_on),
    }
    return render(request, "finance/payments.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def payment_mark_paid(request, public_id):
    _finance_user(request)
    payment = selectors.get_payment_for(request.user, public_id)
    require_permission(request.user, "finance.manage_payments", payment)
    form = PaymentPaidForm(request.POST or None, initial={"paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_mark_paid(payment=payment, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="paid_on")
        else:
            messages.success(
                request,
                _("Förskottet för kvartal %(q)s är markerat som betalt (%(amount)s).")
                % {"q": payment.quarter, "amount": format_ore(payment.amount_ore)},
            )
            return redirect("finance:payments", public_id=payment.budget_year.public_id)
    return render(request, "finance/payment_mark_paid.html", {"form": form, "payment": payment})


@login_required
@require_http_methods(["GET", "POST"])
def payment_reopen(request, public_id):
    _finance_user(request)
    payment = selectors.get_payment_for(request.user, public_id)
    require_permission(request.user, "finance.manage_payments", payment)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_reopen(payment=payment, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="reason")
        else:
            messages.success(request, _("Betalningen är återöppnad och kan registreras på nytt."))
            return redirect("finance:payments", public_id=payment.budget_year.public_id)
    return render(request, "finance/payment_reopen.html", {"form": form, "payment": payment})


# --- Costs -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cost_create(request, public_id):
    _finance_user(request)
    budget_year = selectors.get_budget_year_for(request.user, public_id)
    require_permission(request.user, "finance.record_cost", budget_year)
    form = CostForm(
        request.POST or None,
        request.FILES or None,
        budget_lines=budget_year.agreement.budget_lines.order_by("position"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cost_record(
                budget_year=budget_year,
                budget_line=data["budget_line"],
                spent_on=data["spent_on"],
                amount_ore=data["amount"],
                description=data["description"],
                receipt=data["receipt"],
                by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Kostnaden är registrerad."))
            return redirect("finance:year", public_id=budget_year.public_id)
    return render(request, "finance/cost_form.html", {"form": form, "budget_year": budget_year})


@login_required
@require_http_methods(["GET", "POST"])
def cost_change(request, public_id):
    _finance_user(request)
    cost = selectors.get_cost_for(request.user, public_id)
    require_permission(request.user, "finance.record_cost", cost)
    initial = {
        "budget_line": cost.budget_line_id,
        "spent_on": cost.spent_on,
        "amount": format_ore(cost.amount_ore, currency=False),
        "description": cost.description,
    }
    form = CostChangeForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        budget_lines=cost.budget_year.agreement.budget_lines.order_by("position"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cost_change(
                cost=cost,
                budget_line=data["budget_line"],
                spent_on=data["spent_on"],
                amount_ore=data["amount"],
                description=data["description"],
                receipt=data["receipt"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Kostnaden är ändrad."))
            return redirect("finance:year", public_id=cost.budget_year.public_id)
    return render(request, "finance/cost_change.html", {"form": form, "cost": cost})


@login_required
@require_http_methods(["GET", "POST"])
def cost_remove(request, public_id):
    _finance_user(request)
    cost = selectors.get_cost_for(request.user, public_id)
    require_permission(request.user, "finance.record_cost", cost)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_remove(cost=cost, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="reason")
        else:
            messages.success(request, _("Kostnaden är borttagen."))
            return redirect("finance:year", public_id=cost.budget_year.public_id)
    return render(request, "finance/cost_remove.html", {"form": form, "cost": cost})


@login_required
@require_GET
def cost_receipt(request, public_id):
    _finance_user(request)
    cost = selectors.get_cost_for(request.user, public_id)
    require_permission(request.user, "finance.view_receipt", cost)
    if not cost.receipt:
        raise Http404
    return document_response(cost.receipt, download_name=f"kvitto-{cost.spent_on}")


# --- Other municipalities' fees -----------------------------------------------------------------


@login_required
@require_GET
def fees(request):
    _finance_user(request)
    require_permission(request.user, "finance.view_fees")
    page = Paginator(selectors.fees_for(request.user), PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(request, "finance/fees.html", {"page": page})


@login_required
@require_GET
def fee_invoice(request, public_id):
    _finance_user(request)
    fee = selectors.get_fee_for(request.user, public_id)
    require_permission(request.user, "finance.view_fees", fee)
    # The invoice names a child (initials and age): its export is in the access log.
    referral = fee.placement.referral if fee.placement_id else None
    access_log_record(
        user=request.user,
        referral=referral,
        action=AccessLogEntry.Action.EXPORT,
        legal_basis=_("Avgift från annan kommun (IOP 3.2)"),
        what=_("Faktura till annan kommun (PDF)"),
    )
    pdf = render_pdf("finance/pdf/fee_invoice.html", {"fee": fee, "agreement": fee.agreement})
    return _pdf_response(pdf, f"faktura-{fee.invoiced_on}-{fee.child_initials}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def fee_mark_paid(request, public_id):
    _finance_user(request)
    fee = selectors.get_fee_for(request.user, public_id)
    require_permission(request.user, "finance.mark_fee_paid", fee)
    form = FeePaidForm(request.POST or None, initial={"paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.external_fee_mark_paid(fee=fee, paid_on=form.cleaned_data["paid_on"], by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="paid_on")
        else:
            messages.success(request, _("Avgiften från %(m)s är markerad som betald.") % {"m": fee.municipality})
            return redirect("finance:fees")
    return render(request, "finance/fee_mark_paid.html", {"form": form, "fee": fee})


@login_required
@require_http_methods(["GET", "POST"])
def fee_void(request, public_id):
    _finance_user(request)
    fee = selectors.get_fee_for(request.user, public_id)
    require_permission(request.user, "finance.void_fee", fee)
    form = FeeVoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.external_fee_void(fee=fee, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="reason")
        else:
            messages.success(request, _("Avgiften från %(m)s är makulerad.") % {"m": fee.municipality})
            return redirect("finance:fees")
    return render(request, "finance/fee_void.html", {"form": form, "fee": fee})


# --- Travel and lodging ---------------------------------------------------------------------------


@login_required
@require_GET
def travel(request):
    _finance_user(request)
    require_permission(request.user, "finance.view_travel")
    page = selectors.travel_cost_page(request.user, params=request.GET, size=PAGE_SIZE)
    context = {"page": page, "summary": selectors.travel_summary_by_district(selectors.travel_costs_for(request.user))}
    return render(request, "finance/travel.html", context)


@login_required
@require_GET
def travel_district_pdf(request, district_id):
    """The statement of one district's travel and lodging, for the coordinator to send it."""
    _finance_user(request)
    require_permission(request.user, "finance.view_travel")
    district = get_object_or_404(District, pk=district_id)
    entries = selectors.travel_costs_for(request.user).filter(district=district).order_by("incurred_on", "pk")
    context = {
        "district": district,
        "entries": entries,
        "total_ore": sum(entry.amount_ore for entry in entries),
        "generated_at": timezone.now(),
    }
    # Each child on the statement (by pseudonym) has its export in the access log.
    access_log_record_pseudonyms(
        user=request.user,
        pseudonyms=[entry.child_pseudonym for entry in entries],
        action=AccessLogEntry.Action.EXPORT,
        legal_basis=_("Resor och logi faktureras stadsdelen (IOP 3.1.2)"),
        what=_("Sammanställning av resor och logi (PDF)"),
    )
    pdf = render_pdf("finance/pdf/travel_statement.html", context)
    return _pdf_response(pdf, f"resor-och-logi-{slugify(district.name)}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def travel_create(request):
    _finance_user(request)
    require_permission(request.user, "finance.record_travel")
    form = TravelCostForm(request.POST or None, referrals=selectors.travel_referrals_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = data["child"]
        require_permission(request.user, "finance.record_travel", referral.agreement)
        try:
            services.travel_cost_record(
                agreement=referral.agreement,
                referral=referral,
                kind=data["kind"],
                incurred_on=data["incurred_on"],
                amount_ore=data["amount"],
                description=data["description"],
                by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Resan eller logiet är registrerat."))
            return redirect("finance:travel")
    return render(request, "finance/travel_form.html", {"form": form})


# --- The annual financial report --------------------------------------------------------------


@login_required
@require_GET
def report(request, public_id):
    _finance_user(request)
    budget_year = selectors.get_budget_year_for(request.user, public_id)
    require_permission(request.user, "finance.view_report", budget_year)
    context = {
        "budget_year": budget_year,
        "figures": selectors.annual_report_figures(budget_year),
        "latest": selectors.latest_report(budget_year),
        "form": ReportRequestForm(initial={"fee_reinvestment": budget_year.fee_reinvestment}),
    }
    return render(request, "finance/report.html", context)


@login_required
@require_POST
def report_generate(request, public_id):
    _finance_user(request)
    budget_year = selectors.get_budget_year_for(request.user, public_id)
    require_permission(request.user, "finance.generate_report", budget_year)
    form = ReportRequestForm(request.POST)
    if form.is_valid():
        try:
            services.annual_report_request(
                budget_year=budget_year, fee_reinvestment=form.cleaned_data["fee_reinvestment"], by=request.user
            )
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="fee_reinvestment")
        else:
            messages.success(request, _("Redovisningen skapas. Sidan visar när den är klar."))
            return redirect("finance:report", public_id=budget_year.public_id)
    context = {
        "budget_year": budget_year,
        "figures": selectors.annual_report_figures(budget_year),
        "latest": selectors.latest_report(budget_year),
        "form": form,
    }
    return render(request, "finance/report.html", context, status=400)


@login_required
@require_GET
def report_status(request, public_id):
    """The progress fragment the report page polls with htmx until the PDF is ready."""
    _finance_user(request)
    annual_report = selectors.get_report_for(request.user, public_id)
    require_permission(request.user, "finance.view_report", annual_report)
    return render(request, "finance/_report_status.html", {"latest": annual_report})


@login_required
@require_GET
def report_download(request, public_id):
    _finance_user(request)
    annual_report = selectors.get_report_for(request.user, public_id)
    require_permission(request.user, "finance.view_report", annual_report)
    if annual_report.job.state != BackgroundJob.State.DONE or not annual_report.pdf:
        raise Http404
    filename = f"ekonomisk-redovisning-{annual_report.budget_year.year}.pdf"
    return FileResponse(annual_report.pdf.open("rb"), as_attachment=True, filename=filename)


# --- Termination settlement ---------------------------------------------------------------------


def _settlement(request, agreement):
    form = SettlementForm(request.GET or None)
    settlement = None
    if form.is_valid():
        settlement = selectors.settlement_for(agreement, form.cleaned_data["termination_date"])
        if settlement is None:
            form.add_error("termination_date", _("Datumet ligger utanför överenskommelsens budgetår."))
    return form, settlement


@login_required
@require_GET
def settlement(request, public_id):
    _finance_user(request)
    agreement = selectors.get_agreement_for(request.user, public_id)
    require_permission(request.user, "finance.view_settlement", agreement)
    form, result = _settlement(request, agreement)
    context = {"agreement": agreement, "form": form, "settlement": result, "query": request.GET.urlencode()}
    return render(request, "finance/settlement.html", context)


@login_required
@require_GET
def settlement_pdf(request, public_id):
    _finance_user(request)
    agreement = selectors.get_agreement_for(request.user, public_id)
    require_permission(request.user, "finance.view_settlement", agreement)
    _form, result = _settlement(request, agreement)
    if result is None:
        raise Http404
    pdf = render_pdf("finance/pdf/settlement.html", {"settlement": result, "generated_at": timezone.now()})
    return _pdf_response(pdf, f"slutavrakning-{result.termination_date:%Y-%m-%d}.pdf")


# --- Setting up an agreement ---------------------------------------------------------------------


KIND_PARAMETER = "samverkansform"
PROVIDER_PARAMETER = "utforare"
NEXT_PARAMETER = "nasta"


def _chosen_kind(request, agreement) -> str:
    """An agreement keeps its kind; a new one is of the kind in the address (IOP if none)."""
    if agreement is not None:
        return agreement.kind
    chosen = request.GET.get(KIND_PARAMETER, "")
    return chosen if chosen in Agreement.Kind.values else Agreement.Kind.IOP


def _next_page(request) -> str:
    """Where to go after saving, when the coordinator came from another page of the app (a
    provider's page): a path on this site only, never another site."""
    target = request.GET.get(NEXT_PARAMETER, "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _initial_for_new(request, kind: str) -> dict:
    initial = {
        "name": AGREEMENT_NAME if kind == Agreement.Kind.IOP else "",
        "target_groups_per_year": 4,
        "target_children_per_year": 40,
        "min_group_size": 5,
        "max_group_size": 8,
        "external_child_fee": "5 000",
    }
    # Set up from a provider's page: that provider, its first target group, a name from both.
    chosen = request.GET.get(PROVIDER_PARAMETER, "")
    try:
        provider = Organisation.objects.filter(public_id=chosen).first() if chosen else None
    except ValidationError:  # not a UUID
        provider = None
    if provider is not None:
        initial["provider"] = provider.pk
        target_group = provider.target_groups.order_by("name").first()
        if target_group is not None:
            initial["target_group"] = target_group.pk
        if kind != Agreement.Kind.IOP:
            initial["name"] = f"{provider}: {Agreement.Kind(kind).label}"
    return initial


def _agreement_page(request, agreement=None):
    kind = _chosen_kind(request, agreement)
    is_iop = kind == Agreement.Kind.IOP
    public_party = agreement.public_party if agreement else request.user.membership.organisation
    initial_lines = (
        [
            {"name": line.name, "amount": format_ore(line.annual_amount_ore, currency=False)}
            for line in agreement.budget_lines.all()
        ]
        if agreement
        else [{"name": name, "amount": f"{kronor:,}".replace(",", " ")} for name, kronor in BUDGET_LINES_KR]
    )
    if agreement:
        initial = {
            "name": agreement.name,
            "provider": agreement.provider_id,
            "target_group": agreement.target_group_id,
            "starts_on": agreement.starts_on,
            "ends_on": agreement.ends_on,
            "target_groups_per_year": agreement.target_groups_per_year,
            "target_children_per_year": agreement.target_children_per_year,
            "min_group_size": agreement.min_group_size,
            "max_group_size": agreement.max_group_size,
            "external_child_fee": format_ore(agreement.external_child_fee_ore, currency=False),
            "grant_amount": (
                format_ore(agreement.grant_amount_ore, currency=False) if agreement.grant_amount_ore else ""
            ),
            "grant_report_due_on": agreement.grant_report_due_on,
        }
    else:
        initial = _initial_for_new(request, kind)
    form = AgreementForm(request.POST or None, initial=initial, kind=kind, public_party=public_party)
    # Budget lines are an IOP's only: the other kinds neither show nor read them.
    lines = BudgetLineFormSet(request.POST or None, initial=initial_lines, prefix="lines") if is_iop else None
    if request.method == "POST" and form.is_valid() and (lines is None or lines.is_valid()):
        data = form.cleaned_data
        # What a kind does not ask for keeps its value (a new agreement: the model's defaults).
        kept = agreement or Agreement()
        try:
            agreement = services.agreement_save(
                agreement=agreement,
                public_party=public_party,
                kind=kind,
                provider=data["provider"],
                target_group=data["target_group"],
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                target_groups_per_year=data.get("target_groups_per_year", kept.target_groups_per_year),
                target_children_per_year=data.get("target_children_per_year", kept.target_children_per_year),
                min_group_size=data["min_group_size"],
                max_group_size=data["max_group_size"],
                external_child_fee_ore=data.get("external_child_fee", kept.external_child_fee_ore),
                grant_amount_ore=data.get("grant_amount"),
                grant_report_due_on=data.get("grant_report_due_on"),
                budget_lines=[
                    (line["name"], line["amount"])
                    for line in (lines.cleaned_data if lines is not None else [])
                    if line.get("name") and line.get("amount")
                ],
                by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Överenskommelsen %(name)s är sparad.") % {"name": agreement})
            return redirect(
                _next_page(request) or f"{reverse('finance:overview')}?overenskommelse={agreement.public_id}"
            )
    # The kinds to choose between, for a new agreement, keeping the provider and the way back.
    carried = {key: request.GET[key] for key in (PROVIDER_PARAMETER, NEXT_PARAMETER) if request.GET.get(key)}
    kinds = [(value, label, urlencode({**carried, KIND_PARAMETER: value})) for value, label in Agreement.Kind.choices]
    context = {
        "form": form,
        "lines": lines,
        "agreement": agreement,
        "kind": kind,
        "kind_label": Agreement.Kind(kind).label,
        "kinds": kinds if agreement is None else [],
        "back": _next_page(request),
        "public_party": public_party,
    }
    return render(request, "finance/agreement_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request):
    _finance_user(request)
    require_permission(request.user, "finance.manage_agreements")
    return _agreement_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_change(request, public_id):
    _finance_user(request)
    agreement = selectors.get_agreement_for(request.user, public_id)
    require_permission(request.user, "finance.manage_agreements", agreement)
    return _agreement_page(request, agreement)


# --- The finance log ------------------------------------------------------------------------------


@login_required
@require_GET
def audit_log(request):
    _finance_user(request)
    require_permission(request.user, "finance.view_audit_log")
    page = Paginator(selectors.audit_entries_for(request.user), PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(request, "finance/audit_log.html", {"page": page})
