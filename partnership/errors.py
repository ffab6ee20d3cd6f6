"""Every error page in one place: in the site's layout, in the visitor's language, saying what to do next.

config/urls.py points handler400/403/404/500 here, settings.CSRF_FAILURE_VIEW points at csrf_failure,
RATELIMIT_VIEW at too_many_requests, and ErrorPageMiddleware (below) gives a bare 405 from
require_http_methods the same page. The 500 page renders without the request: no context
processor, no user, no session, no database, so it answers even when those are what failed.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language

TEMPLATE_400 = "errors/400.html"
TEMPLATE_403 = "errors/403.html"
TEMPLATE_404 = "errors/404.html"
TEMPLATE_405 = "errors/405.html"
TEMPLATE_429 = "errors/429.html"
TEMPLATE_500 = "errors/500.html"
TEMPLATE_CSRF = "errors/csrf.html"


def _page(request, template: str, status: int) -> HttpResponse:
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _page(request, TEMPLATE_400, 400)


def permission_denied(request, exception=None):
    return _page(request, TEMPLATE_403, 403)


def page_not_found(request, exception=None):
    return _page(request, TEMPLATE_404, 404)


def method_not_allowed(request, allowed: str = ""):
    response = _page(request, TEMPLATE_405, 405)
    if allowed:
        response["Allow"] = allowed
    return response


def too_many_requests(request, exception=None):
    response = _page(request, TEMPLATE_429, 429)
    response["Retry-After"] = "60"
    return response


def csrf_failure(request, reason=""):
    # The reason is Django's English developer text; the visitor gets what to do instead.
    return _page(request, TEMPLATE_CSRF, 403)


def server_error(request=None):
    # Plain context: no request, so nothing here can touch the session, the user or the database.
    html = loader.get_template(TEMPLATE_500).render({"LANGUAGE_CODE": get_language()})
    return HttpResponse(html, status=500)


class ErrorPageMiddleware:
    """A 405 answered without a body (require_http_methods) gets the 405 page, Allow kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and not response.content:
            return method_not_allowed(request, allowed=response.get("Allow", ""))
        return response
