"""Composing groups: the operations manager asks for suggestions, accepts, changes or rejects
them; the district records children who must not meet. Thin views: a selector, a form, a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups import methods, schedule
from groups.models import GroupFormat, Method, MethodManual
from groups.selectors import get_group_for
from partnership.access import can, require_permission
from partnership.forms import apply_service_errors
from partnership.models import AccessLogEntry
from partnership.services import access_log_record_many
from partnership.uploads import document_response

from . import selectors, services
from .forms import AcceptForm, ChildRelationForm, GroupMethodForm, ManualForm, MethodForm, SuggestForm

PAGE_SIZE = 50
LEGAL_BASIS = gettext_lazy("Planering av grupp: barnet står i väntelistan")


def _log_views(user, referrals, what):
    shown = [referral for referral in referrals if can(user, "referrals.view_identity", referral)]
    if shown:
        access_log_record_many(
            user=user, referrals=shown, action=AccessLogEntry.Action.VIEW, legal_basis=str(LEGAL_BASIS), what=what
        )


@login_required
@require_http_methods(["GET", "POST"])
def suggest(request):
    require_permission(request.user, "composition.suggest_groups")
    agreements = selectors.agreements_for_composition(request.user)
    form = SuggestForm(request.POST or None, agreements=agreements)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suggestion = services.composition_suggest(
                agreement=data["agreement"],
                planned_start=data["planned_start"],
                max_groups=data["max_groups"],
                max_age_spread=data["max_age_spread"],
                by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="agreement")
        else:
            return redirect("composition:detail", public_id=suggestion.public_id)
    recent = selectors.requests_for(request.user).order_by("-created_at", "-pk")[:10]
    return render(request, "composition/suggest.html", {"form": form, "recent": recent})


@login_required
@require_http_methods(["GET"])
def detail(request, public_id):
    """The suggestion; while it is being solved the page says so and, with htmx, polls itself and
    swaps in the outcome once there is one."""
    suggestion = selectors.get_request_for(request.user, public_id)
    require_permission(request.user, "composition.decide_suggestion", suggestion)
    groups = selectors.suggested_groups(user=request.user, request=suggestion) if suggestion.is_solved else []
    _log_views(
        request.user,
        [row.member.referral for _group, rows in groups for row in rows],
        "Förslag på gruppsammansättning",
    )
    template = "composition/_suggestion.html" if request.htmx else "composition/detail.html"
    return render(request, template, {"suggestion": suggestion, "groups": groups})


def _child_choices(user, suggested):
    """The suggestion's children first (ticked), then the rest of the waiting list to add."""
    suggestion = suggested.request
    proposed = list(suggested.members.select_related("referral__child", "referral__district"))
    waiting = selectors.waiting_children(
        user=user, agreement=suggestion.agreement, planned_start=suggestion.planned_start
    )
    proposed_ids = {member.referral_id for member in proposed}
    rows = [(m.referral, m.age, m.waited_days) for m in proposed]
    rows += [(w.referral, w.age, w.waited_days) for w in waiting if w.referral.pk not in proposed_ids]
    choices, referrals = [], {}
    for referral, age, waited in rows:
        child = getattr(referral, "child", None)
        name = child.first_name if child and can(user, "referrals.view_identity", referral) else referral.pseudonym
        label = _("%(name)s, %(age)s år, %(district)s, väntat %(days)s dagar") % {
            "name": name,
            "age": age,
            "district": referral.district,
            "days": waited,
        }
        choices.append((str(referral.public_id), label))
        referrals[str(referral.public_id)] = referral
    initial = [str(member.referral.public_id) for member in proposed]
    return choices, referrals, initial


@login_required
@require_http_methods(["GET", "POST"])
def accept(request, public_id):
    suggested = selectors.get_suggested_group_for(request.user, public_id)
    require_permission(request.user, "composition.decide_suggestion", suggested.request)
    if suggested.state != suggested.State.PROPOSED:
        messages.info(request, _("Förslaget är redan beslutat."))
        return redirect("composition:detail", public_id=suggested.request.public_id)
    choices, referrals, initial = _child_choices(request.user, suggested)
    target = suggested.request.target_group
    form = AcceptForm(
        request.POST or None,
        organisation=request.user.membership.organisation,
        children=choices,
        initial={
            "children": initial,
            "format": GroupFormat.WEEKLY,
            "name": _("%(target)s %(low)s–%(high)s år")
            % {"target": target.name, "low": suggested.min_age, "high": suggested.max_age},
            "first_date": suggested.request.planned_start,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["format"] == GroupFormat.WEEKLY:
                slots = schedule.weekly_schedule(
                    earliest=data["first_date"], weekday=data["weekday"], start_time=data["start_time"]
                )
            else:
                slots = schedule.weekend_schedule(
                    first_saturday=data["first_date"],
                    follow_up_weeks=data["follow_up_weeks"] or schedule.DEFAULT_FOLLOW_UP_WEEKS,
                )
            group = services.suggested_group_accept(
                suggested=suggested,
                referrals=[referrals[key] for key in data["children"]],
                name=data["name"],
                format=data["format"],
                premises=data["premises"],
                leaders=data["leaders"],
                slots=slots,
                by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="first_date")
        else:
            messages.success(
                request,
                _("Gruppen är planerad och öppen med %(n)s placerade barn.") % {"n": len(data["children"])},
            )
            return redirect("groups:detail", public_id=group.public_id)
    _log_views(request.user, referrals.values(), "Godta förslag på gruppsammansättning")
    return render(request, "composition/accept.html", {"form": form, "suggested": suggested})


@login_required
@require_POST
def reject(request, public_id):
    suggested = selectors.get_suggested_group_for(request.user, public_id)
    require_permission(request.user, "composition.decide_suggestion", suggested.request)
    try:
        services.suggested_group_reject(suggested=suggested, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Förslaget är avvisat."))
    return redirect("composition:detail", public_id=suggested.request.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def child_relations(request):
    require_permission(request.user, "composition.record_child_relation")
    candidates = selectors.relation_candidates(request.user)
    form = ChildRelationForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.child_relation_record(
                first=data["first"], second=data["second"], kind=data["kind"], by=request.user
            )
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="second")
        else:
            messages.success(request, _("Uppgiften är sparad och gäller när grupper sätts samman."))
            return redirect("composition:child_relations")
    page = Paginator(selectors.child_relations_for(request.user).order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    return render(
        request, "composition/child_relations.html", {"form": form, "relations": page.object_list, "page": page}
    )


@login_required
@require_POST
def child_relation_delete(request, public_id):
    require_permission(request.user, "composition.record_child_relation")
    relation = get_object_or_404(selectors.child_relations_for(request.user), public_id=public_id)
    services.child_relation_delete(relation=relation, by=request.user)
    messages.success(request, _("Uppgiften är borttagen."))
    return redirect("composition:child_relations")


# --- The method library ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def method_library(request):
    require_permission(request.user, "composition.view_method_library")
    may_manage = can(request.user, "composition.manage_method_library")
    form = MethodForm(request.POST or None) if may_manage else None
    if request.method == "POST":
        require_permission(request.user, "composition.manage_method_library")
        if form.is_valid():
            try:
                method = methods.method_create(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(error, form)
            else:
                messages.success(request, _("Metoden är tillagd. Lägg upp dess manual."))
                return redirect("methods:detail", public_id=method.public_id)
    page = Paginator(methods.method_library(), PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {
        "methods": page.object_list,
        "page": page,
        "without_manual": methods.target_groups_without_manual(),
        "form": form,
    }
    return render(request, "composition/method_library.html", context)


def _method_for(public_id) -> Method:
    return get_object_or_404(Method.objects.select_related("target_group"), public_id=public_id)


@login_required
@require_http_methods(["GET", "POST"])
def method_detail(request, public_id):
    require_permission(request.user, "composition.view_method_library")
    method = _method_for(public_id)
    may_manage = can(request.user, "composition.manage_method_library")
    form = ManualForm(request.POST or None, request.FILES or None) if may_manage else None
    if request.method == "POST":
        require_permission(request.user, "composition.manage_method_library")
        if form.is_valid():
            try:
                methods.method_manual_add(method=method, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(error, form)
            else:
                messages.success(request, _("Manualen är uppladdad."))
                return redirect("methods:detail", public_id=method.public_id)
    context = {
        "method": method,
        "manuals": method.manuals.select_related("uploaded_by").order_by("-published_on", "-pk"),
        "groups": methods.groups_following(method)[:100],
        "form": form,
        "may_change": can(request.user, "composition.change_method"),
        "may_retire": can(request.user, "composition.retire_method"),
    }
    return render(request, "composition/method_detail.html", context)


_METHOD_FIELDS = ("name", "target_group", "min_age", "max_age", "format", "origin", "description")


@login_required
@require_http_methods(["GET", "POST"])
def method_edit(request, public_id):
    require_permission(request.user, "composition.change_method")
    method = _method_for(public_id)
    form = MethodForm(request.POST or None, initial={name: getattr(method, name) for name in _METHOD_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            methods.method_update(method=method, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Metoden är ändrad."))
            return redirect("methods:detail", public_id=method.public_id)
    return render(request, "composition/method_edit.html", {"method": method, "form": form})


def _method_state_change(request, public_id, service, success):
    require_permission(request.user, "composition.retire_method")
    method = _method_for(public_id)
    try:
        service(method=method, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("methods:detail", public_id=method.public_id)


@login_required
@require_POST
def method_retire(request, public_id):
    return _method_state_change(
        request, public_id, methods.method_retire, _("Metoden är avvecklad. Inga nya grupper kan välja den.")
    )


@login_required
@require_POST
def method_reinstate(request, public_id):
    return _method_state_change(request, public_id, methods.method_reinstate, _("Metoden används igen."))


@login_required
@require_GET
def manual_download(request, public_id):
    require_permission(request.user, "composition.view_method_library")
    manual = get_object_or_404(MethodManual.objects.select_related("method"), public_id=public_id)
    return document_response(manual.document, download_name=f"{slugify(manual.method.name)}-{slugify(manual.version)}")


@login_required
@require_http_methods(["GET", "POST"])
def group_method(request, public_id):
    group = get_group_for(request.user, public_id)
    require_permission(request.user, "composition.set_group_method", group)
    form = GroupMethodForm(
        request.POST or None, methods=methods.methods_offered_to(group), initial={"method": group.method}
    )
    if request.method == "POST" and form.is_valid():
        try:
            methods.group_method_set(group=group, method=form.cleaned_data["method"], by=request.user)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Gruppens metod är sparad."))
            return redirect("groups:detail", public_id=group.public_id)
    return render(request, "composition/group_method.html", {"form": form, "group": group})
