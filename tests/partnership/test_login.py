import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnership.middleware import SESSION_LAST_SEEN_KEY
from tests.conftest import totp_token
from tests.factories import TEST_PASSWORD, confirmed_totp_device

pytestmark = pytest.mark.django_db


def post_login(client, username, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_alone_leads_to_two_factor_not_home(client, social_worker):
    confirmed_totp_device(social_worker)
    response = post_login(client, social_worker.username)
    assert response.status_code == 302
    # Every page but the two-factor ones stays closed until the code is given.
    assert client.get(reverse("home"))["Location"] == reverse("two_factor_verify")
    assert client.get("/admin/")["Location"] == reverse("two_factor_verify")


def test_correct_totp_code_opens_the_home_page(client, social_worker):
    device = confirmed_totp_device(social_worker)
    post_login(client, social_worker.username)
    response = client.post(reverse("two_factor_verify"), {"token": totp_token(device)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_wrong_totp_code_is_refused_with_a_swedish_error(client, social_worker):
    confirmed_totp_device(social_worker)
    post_login(client, social_worker.username)
    response = client.post(reverse("two_factor_verify"), {"token": "123456"})
    assert response.status_code == 200
    assert "Koden stämmer inte" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_repeated_wrong_codes_are_throttled(client, social_worker, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = confirmed_totp_device(social_worker)
    post_login(client, social_worker.username)
    client.post(reverse("two_factor_verify"), {"token": "123456"})
    response = client.post(reverse("two_factor_verify"), {"token": totp_token(device)})
    assert "För många felaktiga koder" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_user_without_authenticator_is_asked_to_enrol(client, coordinator):
    post_login(client, coordinator.username)
    response = client.get(reverse("two_factor_verify"))
    assert response["Location"] == reverse("two_factor_setup")
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert client.post(reverse("two_factor_setup"), {"token": totp_token(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


def test_enrolled_user_cannot_enrol_a_new_device_with_password_only(client, coordinator):
    confirmed_totp_device(coordinator)
    post_login(client, coordinator.username)
    assert client.get(reverse("two_factor_setup"))["Location"] == reverse("two_factor_verify")


def test_two_factor_can_be_switched_off_for_the_local_demo(client, social_worker, settings):
    settings.OTP_REQUIRED = False
    post_login(client, social_worker.username)
    assert client.get(reverse("home")).status_code == 200


def test_lockout_after_repeated_failed_logins(client, social_worker):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, social_worker.username, "fel-losenord")
    response = post_login(client, social_worker.username)  # even the right password is refused now
    assert response.status_code == 429
    assert "tillfälligt låst" in response.content.decode()
    assert AccessAttempt.objects.get(username=social_worker.username).failures_since_start >= 5


def test_idle_session_is_logged_out(make_signed_in_client, social_worker, settings):
    client = make_signed_in_client(social_worker)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "timeout=1" in response["Location"]
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_logout_requires_post(make_signed_in_client, social_worker):
    client = make_signed_in_client(social_worker)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change_page_opens_for_signed_in_user(make_signed_in_client, group_leader):
    client = make_signed_in_client(group_leader)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "kort", "new_password2": "kort"},
    )
    assert response.status_code == 200
    assert "för kort" in response.content.decode()
