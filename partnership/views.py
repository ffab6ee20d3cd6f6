import base64
import io

import qrcode
import qrcode.image.svg
from celery import current_app
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login

from . import services
from .forms import EnrolmentCodeForm, TokenForm
from .models import AccessLogEntry, Role
from .ratelimits import two_factor_rate_limit
from .reminders import get_reminder_for, kind_label, reminder_mark_done, reminders_for
from .selectors import agreement_current_for

REMINDER_PAGE_SIZE = 50

HOME_TEMPLATES = {
    Role.GROUP_LEADER: "partnership/home_group_leader.html",
    Role.OPERATIONS_MANAGER: "partnership/home_operations_manager.html",
    Role.SOCIAL_WORKER: "partnership/home_social_worker.html",
    Role.COORDINATOR: "partnership/home_coordinator.html",
}


@login_required
@require_GET
def home(request):
    membership = getattr(request.user, "membership", None)
    template = HOME_TEMPLATES.get(membership.role) if membership else "partnership/home_admin.html"
    return render(request, template, {"membership": membership, "agreement": agreement_current_for(request.user)})


def _redirect_after_two_factor(request):
    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect(settings.LOGIN_REDIRECT_URL)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@two_factor_rate_limit
def two_factor_verify(request):
    if request.user.is_verified():
        return _redirect_after_two_factor(request)
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None, devices=devices)
    if request.method == "POST" and form.is_valid():
        _two_factor_passed(request, form.device)
        return _redirect_after_two_factor(request)
    return render(request, "registration/two_factor_verify.html", {"form": form})


ENROLMENT_CODE_SESSION_KEY = "two_factor_enrolment_code"


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@two_factor_rate_limit
def two_factor_setup(request):
    enrolled = any(devices_for_user(request.user, confirmed=True))
    # A user who already has an authenticator must prove it before enrolling another.
    if enrolled and not request.user.is_verified():
        return redirect("two_factor_verify")
    enrolment_code = None
    if not enrolled:
        # A first authenticator only with the one-time code a superuser issued: a password alone
        # never adds a second factor. Until then this page is all the account reaches.
        code_pk = request.session.get(ENROLMENT_CODE_SESSION_KEY)
        enrolment_code = services.two_factor_enrolment_code_valid(user=request.user, pk=code_pk) if code_pk else None
        if enrolment_code is None:
            return _two_factor_enrolment_code(request)
    device = services.totp_device_get_or_create_pending(user=request.user)
    form = TokenForm(request.POST or None, devices=[device])
    if request.method == "POST" and form.is_valid():
        services.totp_device_confirm(device=device, enrolment_code=enrolment_code)
        request.session.pop(ENROLMENT_CODE_SESSION_KEY, None)
        if enrolled:  # a replacement, already signed in: no new sign-in to log
            otp_login(request, device)
        else:
            _two_factor_passed(request, device)
        return _redirect_after_two_factor(request)
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    context = {
        "form": form,
        "qr_data_uri": "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode(),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
    }
    return render(request, "registration/two_factor_setup.html", context)


def _two_factor_passed(request, device):
    """The second factor passed: the sign-in is complete, and logged as such."""
    otp_login(request, device)
    services.access_log_record(user=request.user, action=AccessLogEntry.Action.SIGN_IN, what="Inloggning")


def _two_factor_enrolment_code(request):
    form = EnrolmentCodeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        request.session[ENROLMENT_CODE_SESSION_KEY] = form.enrolment_code.pk
        return redirect(request.get_full_path())
    return render(request, "registration/two_factor_enrolment_code.html", {"form": form})


class PasswordChooseView(auth_views.PasswordResetConfirmView):
    """The link a new account's owner was mailed (the coordinator's invitation of a provider's
    first account): choose a password. Django's password-reset token, so the link works until a
    password is set or PASSWORD_RESET_TIMEOUT has passed; Django moves the token out of the
    address before the form is shown. It signs nobody in: the sign-in asks for the password and,
    the first time, for the enrolment code the coordinator gave the person."""

    template_name = "registration/password_choose.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        services.access_log_record(user=form.user, action=AccessLogEntry.Action.PASSWORD_CHOSEN, what="Lösenord valt")
        messages.success(self.request, _("Ditt lösenord är sparat. Logga in med ditt användarnamn och lösenord."))
        return response


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:
        return f"error: {type(error).__name__}"


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "ok (eager)"
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:
        return f"error: {type(error).__name__}"


@require_GET
@never_cache
def healthz(request):
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(status.startswith("ok") for status in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@login_required
@require_GET
def reminder_list(request):
    """The user's own reminders: open ones first, then the latest done."""
    reminders = reminders_for(request.user)
    page = Paginator(reminders.filter(done_at__isnull=True).order_by("due_on", "pk"), REMINDER_PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    open_reminders = list(page.object_list)
    done = list(reminders.filter(done_at__isnull=False).order_by("-done_at")[:20])
    for reminder in open_reminders:
        reminder.label = kind_label(reminder.kind)
    context = {"open_reminders": open_reminders, "page": page, "done": done, "today": timezone.localdate()}
    return render(request, "partnership/reminder_list.html", context)


@login_required
@require_POST
def reminder_done(request, public_id):
    reminder = get_reminder_for(request.user, public_id)
    reminder_mark_done(reminder=reminder, by=request.user)
    messages.success(request, _("Påminnelsen är markerad som klar."))
    return redirect("reminders")
