import datetime
import io
import re
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnership.middleware import SESSION_LAST_SEEN_KEY
from partnership.models import AccessLogEntry, TwoFactorEnrolmentCode
from partnership.services import two_factor_enrolment_code_issue, two_factor_enrolment_code_valid
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


def test_user_without_authenticator_enrols_with_the_code_a_superuser_issued(client, coordinator, superuser):
    code = two_factor_enrolment_code_issue(user=coordinator, by=superuser)
    post_login(client, coordinator.username)
    response = client.get(reverse("two_factor_verify"))
    assert response["Location"] == reverse("two_factor_setup")
    assert "Aktiveringskod" in client.get(reverse("two_factor_setup")).content.decode()
    assert client.post(reverse("two_factor_setup"), {"code": code.lower()}).status_code == 302
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200 and "QR-kod" in page.content.decode()
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert client.post(reverse("two_factor_setup"), {"token": totp_token(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert TwoFactorEnrolmentCode.objects.get(user=coordinator).used_at is not None
    assert AccessLogEntry.objects.filter(user=coordinator, action=AccessLogEntry.Action.TWO_FACTOR_ENROLLED).exists()
    assert AccessLogEntry.objects.filter(user=coordinator, action=AccessLogEntry.Action.SIGN_IN).count() == 1


def test_password_alone_cannot_enrol_an_authenticator(client, coordinator):
    post_login(client, coordinator.username)
    page = client.get(reverse("two_factor_setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "aktiveringskod från Gruppstöds administratör" in html
    assert "QR-kod" not in html and "text-secret" not in html
    # No secret was made, and a guessed TOTP code or wrong enrolment code enrols nothing.
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    response = client.post(reverse("two_factor_setup"), {"code": "ABCD-EFGH-JKMN", "token": "123456"})
    assert "Koden stämmer inte, har redan använts eller har gått ut" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    # Every other page sends the account back to two-factor.
    for name in ("home", "reminders", "referrals:list"):
        assert client.get(reverse(name)).status_code == 302


@pytest.mark.parametrize("spoil", ["expired", "used", "other_user"])
def test_a_spent_expired_or_foreign_code_is_refused(client, coordinator, superuser, spoil):
    owner = superuser if spoil == "other_user" else coordinator
    code = two_factor_enrolment_code_issue(user=owner, by=superuser)
    stored = TwoFactorEnrolmentCode.objects.get(user=owner)
    if spoil == "expired":
        stored.expires_at = timezone.now() - datetime.timedelta(seconds=1)
        stored.save()
    elif spoil == "used":
        stored.used_at = timezone.now()
        stored.save()
    post_login(client, coordinator.username)
    response = client.post(reverse("two_factor_setup"), {"code": code})
    assert response.status_code == 200
    assert "Koden stämmer inte, har redan använts eller har gått ut" in response.content.decode()


def test_the_code_is_stored_hashed_and_lasts_the_configured_days(coordinator, superuser, settings):
    settings.TWO_FACTOR_ENROLMENT_CODE_DAYS = 5
    code = two_factor_enrolment_code_issue(user=coordinator, by=superuser)
    stored = TwoFactorEnrolmentCode.objects.get(user=coordinator)
    assert code.replace("-", "") not in stored.code_hash and len(stored.code_hash) == 64
    assert (stored.expires_at - timezone.now()).days == 4  # 5 days less the moments since
    # A new code replaces the unused one.
    two_factor_enrolment_code_issue(user=coordinator, by=superuser)
    assert TwoFactorEnrolmentCode.objects.filter(user=coordinator).count() == 1


def test_a_superuser_issues_codes_in_the_admin_and_the_issue_is_logged(make_signed_in_client, superuser, coordinator):
    client = make_signed_in_client(superuser)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "issue_two_factor_enrolment_code", "_selected_action": [coordinator.pk]},
    )
    assert response.status_code == 200
    code = re.search(r"<code>([A-Z0-9-]{14})</code>", response.content.decode()).group(1)
    assert two_factor_enrolment_code_valid(user=coordinator, code=code) is not None
    entry = AccessLogEntry.objects.get(action=AccessLogEntry.Action.TWO_FACTOR_CODE_ISSUED)
    assert entry.user == superuser and coordinator.username in entry.what


def test_a_code_can_be_issued_from_the_server_for_the_first_superuser(superuser):
    out = io.StringIO()
    call_command("two_factor_enrolment_code", superuser.username, stdout=out)
    assert two_factor_enrolment_code_valid(user=superuser, code=out.getvalue().strip()) is not None


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
