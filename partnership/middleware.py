import re
import time
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
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


# Control characters: none in an address or a cookie; in a query string or form only the
# whitespace ones (tab, line feed, carriage return, and the vertical tab and form feed that text
# pasted from a word processor carries). NUL never reaches PostgreSQL through a request.
_CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_VALUE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Longer than any address or query string the app makes (browsers and proxies cap near 8 KB).
MAX_PATH_CHARS = 2000
MAX_QUERY_STRING_CHARS = 4000
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RejectMalformedRequestMiddleware:
    """Refuse, with the 400 page, a request whose address, query string, cookies or form is malformed.

    Control characters, invalid UTF-8 and overlong addresses never reach a view, a query or a
    log line. Placed after LocaleMiddleware, so the 400 page speaks the visitor's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _malformed(request):
            raise BadRequest("Malformed request")
        return self.get_response(request)


def _malformed(request) -> bool:
    path = request.path_info
    if len(path) > MAX_PATH_CHARS or _CONTROL_IN_PATH.search(path):
        return True
    query_string = request.META.get("QUERY_STRING", "")
    if len(query_string) > MAX_QUERY_STRING_CHARS or not _utf8(query_string):
        return True
    if any(_CONTROL_IN_VALUE.search(text) for text in _texts(request.GET)):
        return True
    # A cookie (the session key is looked up in the database) may carry an escaped NUL too.
    if any(_CONTROL_IN_PATH.search(f"{name}{value}") for name, value in request.COOKIES.items()):
        return True
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        if request.content_type == _FORM_TYPES[0] and not _utf8(request.body):
            return True
        if any(_CONTROL_IN_VALUE.search(text) for text in _texts(request.POST)):
            return True
    return False


def _utf8(encoded: str | bytes) -> bool:
    """Whether urlencoded text decodes as UTF-8 (WSGI hands the query string over as latin-1 text)."""
    try:
        raw = encoded.encode("latin-1") if isinstance(encoded, str) else encoded
        unquote_to_bytes(raw).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return False
    return True


def _texts(query_dict):
    for key, values in query_dict.lists():
        yield key
        yield from (value for value in values if isinstance(value, str))


class PermissionsPolicyMiddleware:
    """A Permissions-Policy header on every response: the app uses no camera, microphone,
    location, payment or device API, so no page (nor anything injected into one) may."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
