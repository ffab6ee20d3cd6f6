import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from . import history

SESSION_LAST_SEEN_KEY = "last_seen"


class IdleTimeoutMiddleware:
    """Log out a user who has been idle longer than SESSION_IDLE_TIMEOUT seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(SESSION_LAST_SEEN_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                return redirect(f"{reverse('login')}?timeout=1&next={request.path}")
            request.session[SESSION_LAST_SEEN_KEY] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Until a signed-in user has passed TOTP this session, only the two-factor pages answer."""

    ALLOWED_URL_NAMES = ("two_factor_setup", "two_factor_verify", "logout", "set_language", "healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if settings.OTP_REQUIRED and user.is_authenticated and not user.is_verified():
            match = _resolve(request.path_info)
            if not (match and match.url_name in self.ALLOWED_URL_NAMES):
                return redirect("two_factor_verify")
        return self.get_response(request)


def _resolve(path):
    try:
        return resolve(path)
    except Resolver404:
        return None


class HistoryActorMiddleware:
    """A change made while serving a request is the signed-in user's unless a service names
    another actor (partnership/history.py): the admin's edits of reference data, for instance."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with history.acting(request.user):
            return self.get_response(request)
