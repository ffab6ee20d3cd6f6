"""Pages of the coordination: the public page of groups, its feeds and the interest form (no
login), the provider's inbox, intake, parents and publication pages, and the coordinator's pages
that set up providers (signed in)."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups.forms import AttendanceRowForm
from groups.models import Meeting
from groups.rules import group_action_refusal
from groups.selectors import get_group_for
from partnership.access import can, require_permission
from partnership.forms import apply_service_errors
from partnership.models import Agreement, Organisation

from . import feeds, mailing, public, selectors, services
from .forms import (
    ParentForm,
    ParticipantForm,
    ParticipantVisitForm,
    PlannedGroupsMailingForm,
    ProviderEditForm,
    ProviderForm,
    PublicationForm,
    PublicFilterForm,
    PublicInterestForm,
    StaffInviteForm,
)
from .models import Participant, PlannedGroupsMailing

# The interest form's body is small; anything bigger is not a person filling it in.
INTEREST_FORM_MAX_BYTES = 8 * 1024


def _language() -> str:
    return get_language() or "sv"


def _page_number(request) -> int:
    """The page asked for, 1–1000 (a bound, so that made-up page numbers cannot fill the cache)."""
    try:
        return min(1000, max(1, int(request.GET.get("sida", "1"))))
    except ValueError:
        return 1


@require_GET
def public_list(request):
    """Every provider's published planned and running groups, with filters (no login). The page's
    body is cached whole per valid filter, page, language and host (public.cached: a publication
    change shows at once); only base.html is rendered per request."""
    language = _language()
    choices = public.cached("choices", public.filter_choices)
    filters = PublicFilterForm(request.GET, choices=choices, language=language).filters() if request.GET else {}
    page_number = _page_number(request)

    def body() -> str:
        # The form shows the valid filters only, so the cached body depends on nothing but the key.
        query = public.filter_query(filters)
        context = {
            "form": PublicFilterForm(query or None, choices=choices, language=language),
            "page": public.public_page(filters=filters, page=page_number),
            "query": urlencode(query),
            "feed_url": request.build_absolute_uri(reverse("coordination:hsds")),
        }
        return render_to_string("coordination/_public_list_body.html", context)

    html = public.cached("body", body, page=page_number, host=request.get_host(), **filters)
    # Our own template's output, escaped when it was rendered.
    return render(request, "coordination/public_list.html", {"body": mark_safe(html)})  # noqa: S308 # nosec B308 B703


@require_GET
def public_group_ical(request, public_id):
    body = feeds.group_ical(public_id)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="stodgrupp.ics"'
    return response


@require_GET
def public_hsds(request):
    """The JSON feed (Open Referral HSDS shape) of every published group; documented in the README."""
    base_url = request.build_absolute_uri(reverse("coordination:public_list"))
    data = feeds.hsds_page(page=_page_number(request), base_url=base_url)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _client_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"coordination:interest-rate:{digest}"


def _over_rate_limit(request) -> bool:
    """At most INTEREST_FORM_RATE_PER_HOUR submissions an hour from one address (the address
    is kept only as a keyed hash, in the cache, for the hour)."""
    key = _client_key(request)
    if cache.add(key, 1, 3600):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
        return False
    return count > settings.INTEREST_FORM_RATE_PER_HOUR


@require_http_methods(["GET", "POST"])
def interest_create(request):
    """The public interest form (no login): a custodian, a young person from 15, or a
    professional says a child needs a group."""
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > INTEREST_FORM_MAX_BYTES:
        return HttpResponse(_("Formuläret är för stort."), status=413)
    initial = {}
    chosen = request.GET.get("grupp", "")
    row = public.public_group(chosen) if chosen else None
    if row is not None:
        initial["target_group"] = public.target_group_pk(row.target_group_code)
    form = PublicInterestForm(request.POST or None, initial=initial, language=_language())
    status = 200
    if request.method == "POST":
        if _over_rate_limit(request):
            form.is_valid()
            form.add_error(None, _("För många anmälningar från samma ställe. Försök igen om en timme, eller ring."))
            status = 429
        elif form.is_valid():
            if form.is_robot:
                # A robot filled in the hidden field: it is told what a person is told, nothing is saved.
                request.session["interest_receipt"] = {"receipt": "", "providers": 0}
                return redirect("coordination:interest_receipt")
            data = {key: value for key, value in form.cleaned_data.items() if key != "webbplats"}
            try:
                interest = services.public_interest_submit(**data)
            except ValidationError as error:
                apply_service_errors(error, form)
            else:
                request.session["interest_receipt"] = {
                    "receipt": interest.receipt_number,
                    "providers": interest.routed_to.count(),
                    "district": interest.may_tell_social_services,
                }
                return redirect("coordination:interest_receipt")
    return render(request, "coordination/interest_form.html", {"form": form, "group": row}, status=status)


@require_GET
def interest_receipt(request):
    receipt = request.session.get("interest_receipt")
    if receipt is None:
        return redirect("coordination:interest_create")
    context = {"receipt": receipt, "lapse_days": settings.INTEREST_LAPSE_DAYS}
    return render(request, "coordination/interest_receipt.html", context)


# --- Signed in: the inbox, intake, parents, publication ----------------------------------------


@login_required
@require_GET
def inbox(request):
    require_permission(request.user, "coordination.list_interests")
    queryset = selectors.interests_visible_to(request.user).order_by("-created_at", "-pk")
    page = Paginator(queryset, 25).get_page(_page_number(request))
    return render(request, "coordination/inbox.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def interest_detail(request, public_id):
    interest = selectors.get_interest_for(request.user, public_id)
    require_permission(request.user, "coordination.view_interest", interest)
    mine = interest.taken_up_by_id == request.user.membership.organisation_id
    groups = selectors.groups_for_intake(request.user, interest)
    may_place = mine and not hasattr(interest, "participant") and groups.exists()
    form = None
    if may_place:
        initial = {"child_first_name": interest.child_first_name, "child_age": interest.child_age}
        initial["custodian_name"] = interest.contact_name if interest.sender_role == "custodian" else ""
        initial["custodian_contact"] = interest.contact if interest.sender_role == "custodian" else ""
        form = ParticipantForm(request.POST or None, groups=groups, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            require_permission(request.user, "coordination.place_participant", data["group"])
            try:
                services.participant_place(interest=interest, by=request.user, **data)
            except ValidationError as error:
                apply_service_errors(error, form)
            else:
                messages.success(request, _("Barnet är placerat i %(group)s.") % {"group": data["group"].name})
                return redirect("coordination:participants", public_id=data["group"].public_id)
    elif request.method == "POST":
        raise Http404
    context = {
        "interest": interest,
        "mine": mine,
        "form": form,
        "may_take_up": can(request.user, "coordination.take_up_interest", interest),
        "is_iop": bool(mine and not groups.exists() and _provider_is_iop(request.user)),
    }
    return render(request, "coordination/interest_detail.html", context)


def _provider_is_iop(user) -> bool:
    agreement = services.provider_agreement(user.membership.organisation)
    return agreement is not None and agreement.is_iop


@login_required
@require_POST
def interest_take_up(request, public_id):
    interest = selectors.get_interest_for(request.user, public_id)
    require_permission(request.user, "coordination.take_up_interest", interest)
    try:
        services.public_interest_take_up(interest=interest, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if _provider_is_iop(request.user):
            messages.success(
                request, _("Intresseanmälan är skickad till stadsdelen för bekräftelse, som Bris övriga anmälningar.")
            )
            return redirect("referrals:interest_list")
        messages.success(request, _("Ni har tagit om hand intresseanmälan. Registrera samtycket och placera barnet."))
    return redirect("coordination:interest_detail", public_id=interest.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def participants(request, public_id):
    group = get_group_for(request.user, public_id)
    require_permission(request.user, "coordination.view_participants", group)
    form = None
    if can(request.user, "coordination.manage_parents", group):
        form = ParentForm(request.POST or None, groups=selectors.children_groups_of_provider(request.user))
        if request.method == "POST" and form.is_valid():
            try:
                services.parent_register(group=group, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(error, form)
            else:
                messages.success(request, _("Föräldern är registrerad."))
                return redirect("coordination:participants", public_id=group.public_id)
    elif request.method == "POST":
        raise Http404
    may_record_visits = (
        can(request.user, "coordination.record_participant_visit", group)
        and group_action_refusal(group, "record_visit", is_split=False) is None
    )
    context = {
        "group": group,
        "participants": selectors.participants_of(group),
        "parents": selectors.parents_of(group),
        "form": form,
        "may_record_visits": may_record_visits,
    }
    return render(request, "coordination/participants.html", context)


def _attendance_initial(record) -> dict:
    if record is None:
        return {}
    return {"present": "1" if record.present else "0", "absence_reason": record.absence_reason, "note": record.note}


@login_required
@require_http_methods(["GET", "POST"])
def participant_attendance(request, public_id, meeting_id):
    """A meeting's attendance of the provider's own participants: the children taken in on a
    custodian's consent, or a parents' group's parents (the IOP's placed children are on
    groups:attendance). Reached from the group page's meetings."""
    group = get_group_for(request.user, public_id)
    require_permission(request.user, "coordination.record_participant_attendance", group)
    meeting = get_object_or_404(Meeting, pk=meeting_id, group=group)
    children, parents = selectors.attendance_people(group)
    existing = selectors.participant_attendance_of(meeting)
    data = request.POST if request.method == "POST" else None
    rows = []
    for person in [*children, *parents]:
        is_child = isinstance(person, Participant)
        prefix = f"c{person.pk}" if is_child else f"f{person.pk}"
        name = person.child_first_name if is_child else person.name
        form = AttendanceRowForm(data, prefix=prefix, initial=_attendance_initial(existing.get(prefix)))
        rows.append((name, person, form))
    general_errors: list[str] = []
    if request.method == "POST" and all(form.is_valid() for _name, _person, form in rows):
        entries = [
            services.ParticipantAttendanceEntry(
                participant=person if isinstance(person, Participant) else None,
                parent=None if isinstance(person, Participant) else person,
                present=form.cleaned_data["present"],
                absence_reason=form.cleaned_data["absence_reason"],
                note=form.cleaned_data["note"],
            )
            for _name, person, form in rows
        ]
        try:
            services.participant_attendance_record(meeting=meeting, entries=entries, by=request.user)
        except ValidationError as error:
            general_errors = error.messages
        else:
            messages.success(request, _("Närvaron är sparad."))
            return redirect("groups:detail", public_id=group.public_id)
    context = {"group": group, "meeting": meeting, "rows": rows, "general_errors": general_errors}
    return render(request, "coordination/participant_attendance.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def participant_visit(request, public_id, participant_id):
    """Plan or record a participant's contact before the group, or a written exception."""
    group = get_group_for(request.user, public_id)
    require_permission(request.user, "coordination.record_participant_visit", group)
    participant = selectors.get_participant_in(group, participant_id)
    visit = getattr(participant, "pre_group_visit", None)
    initial = (
        {
            "kind": visit.kind,
            "visit_date": visit.visit_date,
            "leader": visit.leader_id,
            "outcome": visit.outcome,
            "exception_reason": visit.exception_reason,
        }
        if visit
        else {"kind": "home", "leader": request.user.pk}
    )
    form = ParticipantVisitForm(
        request.POST or None, organisation=request.user.membership.organisation, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_visit_record(participant=participant, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form, fallback_field="kind")
        else:
            messages.success(request, _("Besöket är sparat."))
            return redirect("coordination:participants", public_id=group.public_id)
    context = {"group": group, "participant": participant, "form": form}
    return render(request, "coordination/participant_visit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def publication(request, public_id):
    group = get_group_for(request.user, public_id)
    require_permission(request.user, "coordination.publish_group", group)
    form = PublicationForm(
        request.POST or None,
        instance=group,
        parallel_choices=selectors.children_groups_of_provider(request.user, keeping=group.parallel_to),
        target_groups=selectors.provider_target_groups(group.agreement),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_publication_update(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Uppgifterna för den öppna sidan är sparade."))
            return redirect("groups:detail", public_id=group.public_id)
    return render(request, "coordination/publication.html", {"group": group, "form": form})


@login_required
@require_GET
def city_overview(request):
    require_permission(request.user, "coordination.view_city_overview")
    context = {"providers": selectors.city_overview(), "interests": selectors.public_interest_counts()}
    return render(request, "coordination/city_overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def planned_groups_mailing(request):
    """The coordinator mails the planned groups of the public page to the contact list."""
    require_permission(request.user, "coordination.send_planned_groups")
    form = PlannedGroupsMailingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sent = mailing.planned_groups_mailing_send(
            subject=data["subject"],
            intro=data["intro"],
            contact_kind=data["contact_kind"],
            public_url=request.build_absolute_uri(reverse("coordination:public_list")),
            by=request.user,
        )
        messages.success(request, _("Utskicket till %(n)s kontakter skickas i bakgrunden.") % {"n": sent.mails.count()})
        return redirect("coordination:mailing")
    mailings = Paginator(
        PlannedGroupsMailing.objects.annotate(
            recipients=Count("mails"), sent=Count("mails", filter=Q(mails__sent_at__isnull=False))
        ).order_by("-created_at", "-pk"),
        10,
    ).get_page(_page_number(request))
    context = {
        "form": form,
        "rows": mailing.planned_group_rows(),
        "page": mailings,
    }
    return render(request, "coordination/mailing.html", context)


# --- The coordinator sets up providers ----------------------------------------------------------

PROVIDER_PAGE_SIZE = 25


@login_required
@require_GET
def provider_list(request):
    require_permission(request.user, "coordination.manage_providers")
    page = Paginator(selectors.providers_visible_to(request.user), PROVIDER_PAGE_SIZE).get_page(_page_number(request))
    return render(request, "coordination/provider_list.html", {"page": page})


def _arrangement_setup_url(organisation, kind: str) -> str:
    """The agreement page in finance, for this provider and kind, and back to the provider after."""
    query = {
        "utforare": str(organisation.public_id),
        "samverkansform": kind,
        "nasta": reverse("coordination:provider_detail", kwargs={"public_id": organisation.public_id}),
    }
    return f"{reverse('finance:agreement_create')}?{urlencode(query)}"


def _suggested_kind(organisation) -> str:
    return (
        Agreement.Kind.DISTRICT_OWN
        if organisation.organisation_type == Organisation.Type.DISTRICT
        else Agreement.Kind.OPERATING_GRANT
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_create(request):
    """The organisation first; its arrangement next, on the agreement page in finance."""
    require_permission(request.user, "coordination.manage_providers")
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.provider_create(
                name=data["name"],
                short_name=data["short_name"],
                organisation_type=data["organisation_type"],
                district=data["district"],
                target_groups=data["target_groups"],
                website=data["website"],
                public_email=data["public_email"],
                public_phone=data["public_phone"],
                by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(
                request, _("%(name)s är upplagd. Lägg nu in samverkansformen.") % {"name": organisation.name}
            )
            return redirect(_arrangement_setup_url(organisation, data["arrangement"]))
    return render(request, "coordination/provider_form.html", {"form": form})


@login_required
@require_GET
def provider_detail(request, public_id):
    require_permission(request.user, "coordination.manage_providers")
    organisation = selectors.get_provider_for(request.user, public_id)
    context = {
        "organisation": organisation,
        "arrangements": selectors.provider_arrangements(organisation),
        "staff": selectors.provider_staff(organisation),
        "arrangement_url": _arrangement_setup_url(organisation, _suggested_kind(organisation)),
        "may_invite": can(request.user, "coordination.invite_first_staff", organisation),
    }
    return render(request, "coordination/provider_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request, public_id):
    require_permission(request.user, "coordination.manage_providers")
    organisation = selectors.get_provider_for(request.user, public_id)
    initial = {
        "name": organisation.name,
        "short_name": organisation.short_name,
        "target_groups": list(organisation.target_groups.all()),
        "website": organisation.website,
        "public_email": organisation.public_email,
        "public_phone": organisation.public_phone,
    }
    form = ProviderEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_update(provider=organisation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("Uppgifterna om %(name)s är sparade.") % {"name": form.cleaned_data["name"]})
            return redirect("coordination:provider_detail", public_id=organisation.public_id)
    return render(request, "coordination/provider_edit.html", {"form": form, "organisation": organisation})


def _site_address(request) -> str:
    # The host is one of ALLOWED_HOSTS (Django checks it), as for Django's own password reset.
    return request.build_absolute_uri("/")


def _enrolment_code_page(request, invitation, code: str, *, invited: bool):
    """The code is shown on this answer only: never stored in clear, in a message or a cookie."""
    context = {
        "invitation": invitation,
        "code": code,
        "invited": invited,
        "code_days": settings.TWO_FACTOR_ENROLMENT_CODE_DAYS,
        "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    return render(request, "coordination/staff_invited.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_invite(request, public_id):
    """The provider's first account: its operations manager."""
    require_permission(request.user, "coordination.manage_providers")
    organisation = selectors.get_provider_for(request.user, public_id)
    require_permission(request.user, "coordination.invite_first_staff", organisation)
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = services.staff_invite(
                organisation=organisation, base_url=_site_address(request), by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            return _enrolment_code_page(request, invited.invitation, invited.enrolment_code, invited=True)
    return render(request, "coordination/staff_invite.html", {"organisation": organisation, "form": form})


@login_required
@never_cache
@require_POST
def invitation_enrolment_code(request, public_id):
    """A new one-time enrolment code for an invitee who lost theirs or let it expire."""
    invitation = selectors.get_invitation_for(request.user, public_id)
    require_permission(request.user, "coordination.issue_invitee_enrolment_code", invitation)
    try:
        code = services.staff_invitation_enrolment_code_issue(invitation=invitation, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("coordination:provider_detail", public_id=invitation.organisation.public_id)
    return _enrolment_code_page(request, invitation, code, invited=False)


@login_required
@require_POST
def invitation_resend(request, public_id):
    invitation = selectors.get_invitation_for(request.user, public_id)
    require_permission(request.user, "coordination.resend_invitation", invitation)
    try:
        services.staff_invitation_resend(invitation=invitation, base_url=_site_address(request), by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("En ny länk för att välja lösenord skickas till %(email)s.") % {"email": invitation.user.email},
        )
    return redirect("coordination:provider_detail", public_id=invitation.organisation.public_id)
