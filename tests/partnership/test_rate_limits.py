"""Rate limits on the pages a stranger can reach or guess at, answered with the 429 page."""

import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.urls import reverse

from groups.services import calendar_token_get_or_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.RATE_LIMITS = {"login": "3/m", "two_factor": "3/m", "public_token": "3/m"}


def _assert_429_page(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "För många försök" in html and 'class="navbar-brand"' in html
    assert response["Retry-After"]


def test_guessing_usernames_from_one_address_meets_the_429_page(client):
    for attempt in range(3):
        response = client.post(reverse("login"), {"username": f"gissning{attempt}", "password": "fel"})
        assert response.status_code == 200
    _assert_429_page(client.post(reverse("login"), {"username": "gissning9", "password": "fel"}))
    # Reading the page is not limited: only attempts are.
    assert client.get(reverse("login")).status_code == 200


def test_another_address_is_not_held_up(client):
    for attempt in range(4):
        client.post(reverse("login"), {"username": f"gissning{attempt}", "password": "fel"})
    other = client.post(reverse("login"), {"username": "x", "password": "y"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_guessing_two_factor_codes_meets_the_429_page(client, social_worker):
    client.force_login(social_worker)
    for _ in range(3):
        assert client.post(reverse("two_factor_setup"), {"code": "AAAA-BBBB-CCCC"}).status_code == 200
    _assert_429_page(client.post(reverse("two_factor_setup"), {"code": "AAAA-BBBB-CCCC"}))
    _assert_429_page(client.post(reverse("two_factor_verify"), {"token": "123456"}))


def test_guessing_calendar_tokens_meets_the_429_page(client):
    for attempt in range(3):
        assert client.get(reverse("groups:calendar_feed", kwargs={"token": f"gissning{attempt}"})).status_code == 404
    _assert_429_page(client.get(reverse("groups:calendar_feed", kwargs={"token": "gissning9"})))


def test_a_real_calendar_feed_is_read_within_the_limit(client, group_leader):
    token = calendar_token_get_or_create(user=group_leader).token
    for _ in range(3):
        assert client.get(reverse("groups:calendar_feed", kwargs={"token": token})).status_code == 200


def test_guessing_answer_links_meets_the_429_page(client):
    for attempt in range(3):
        assert client.get(reverse("followup:public_answer", kwargs={"token": f"gissning{attempt}"})).status_code == 404
    _assert_429_page(client.get(reverse("followup:public_answer", kwargs={"token": "gissning9"})))


def test_the_429_page_is_in_english_when_chosen(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    for attempt in range(4):
        response = client.get(reverse("followup:public_answer", kwargs={"token": f"gissning{attempt}"}))
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()


def test_axes_still_locks_the_account(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "100/m"}
    user = make_user(None, username="laast")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "fel"})
    assert client.post(reverse("login"), {"username": user.username, "password": "fel"}).status_code == 429


def test_the_limits_count_in_redis_as_production_does(client, settings):
    # Production's cache (Django's Redis backend) with a key prefix of this test's own, so the
    # counts are shared by every worker and nothing else's keys are touched.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": django_settings.REDIS_URL,
            "KEY_PREFIX": f"gruppstod-test-{uuid.uuid4().hex}",
            "TIMEOUT": 120,
        }
    }
    assert type(caches["default"]).__name__ == "RedisCache"
    for attempt in range(3):
        assert client.post(reverse("login"), {"username": f"g{attempt}", "password": "fel"}).status_code == 200
    _assert_429_page(client.post(reverse("login"), {"username": "g9", "password": "fel"}))
