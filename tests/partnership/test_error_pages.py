"""Every error page: in the site's layout, in Swedish (English when chosen), saying what to do next.

The suite runs with DEBUG=false (scripts/run_tests.py), as production does.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from partnership import errors

LAYOUT_MARK = 'class="navbar-brand"'  # base.html's header
HOME_LINK = 'href="/"'


def _assert_page(response, status, swedish):
    assert response.status_code == status
    html = response.content.decode()
    assert LAYOUT_MARK in html, "not in the site's layout"
    assert '<html lang="sv">' in html
    assert swedish in html
    assert HOME_LINK in html, "no way onward"
    for bare in ("Not Found", "Server Error", "Bad Request", "Forbidden", "CSRF verification failed"):
        assert bare not in html


def test_the_suite_runs_these_with_debug_off():
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_404_page(client):
    _assert_page(client.get("/finns-inte/"), 404, "Sidan finns inte")


@pytest.mark.django_db
def test_404_page_in_english_when_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Page not found" in html
    assert "Sidan finns inte" not in html


@pytest.mark.django_db
def test_403_page(make_signed_in_client, group_leader):
    client = make_signed_in_client(group_leader)
    _assert_page(client.get(reverse("consent:access_log")), 403, "Du har inte behörighet till sidan")


@pytest.mark.django_db
def test_400_page_for_a_foreign_host(client):
    _assert_page(client.get("/", HTTP_HOST="angripare.example"), 400, "Felaktig förfrågan")


@pytest.mark.django_db
def test_405_page_keeps_the_allow_header(client):
    response = client.post(reverse("healthz"))
    _assert_page(response, 405, "Sidan kan inte öppnas så")
    assert "GET" in response["Allow"]


@pytest.mark.django_db
def test_429_page(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    response = errors.too_many_requests(request)
    assert response["Retry-After"]
    _assert_page(response, 429, "För många försök")


@pytest.mark.django_db
def test_csrf_failure_page(group_leader):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "ledare", "password": "fel"})
    _assert_page(response, 403, "Formuläret kunde inte skickas")


@pytest.mark.django_db
@pytest.mark.urls("tests.partnership.error_urls")
def test_500_page():
    client = Client(raise_request_exception=False)
    _assert_page(client.get("/test-fel/"), 500, "Något gick fel")


def test_500_page_needs_no_database_and_no_request():
    # No django_db mark: any query here raises. No request either.
    response = errors.server_error()
    _assert_page(response, 500, "Något gick fel")
    assert "csrfmiddlewaretoken" not in response.content.decode()


# --- Permissions-Policy ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/konto/logga-in/", "/finns-inte/", "/healthz", "/grupper/kalender/%00.ics"])
@pytest.mark.django_db
def test_every_response_denies_the_browser_features_the_app_never_uses(client, path):
    policy = client.get(path)["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


@pytest.mark.django_db
def test_a_signed_in_page_carries_the_permissions_policy_too(make_signed_in_client, group_leader):
    response = make_signed_in_client(group_leader).get(reverse("home"))
    assert "camera=()" in response["Permissions-Policy"]
