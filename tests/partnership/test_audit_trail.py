"""The access log records sign-in, sign-out and failed sign-in (never the typed password), and
two-factor enrolment and removal (issue 14). Exports are tested beside each download view."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnership.models import AccessLogEntry
from tests.conftest import totp_token
from tests.factories import TEST_PASSWORD, confirmed_totp_device

pytestmark = pytest.mark.django_db
A = AccessLogEntry.Action


def test_sign_in_and_sign_out_are_logged(client, social_worker):
    device = confirmed_totp_device(social_worker)
    client.post(reverse("login"), {"username": social_worker.username, "password": TEST_PASSWORD})
    client.post(reverse("two_factor_verify"), {"token": totp_token(device)})
    client.post(reverse("logout"))
    actions = list(AccessLogEntry.objects.filter(user=social_worker).order_by("pk").values_list("action", flat=True))
    assert actions == [A.SIGN_IN, A.SIGN_OUT]


def test_a_failed_sign_in_is_logged_without_the_password(client, social_worker):
    typed = "mitt-hemliga-felskrivna-losenord"
    client.post(reverse("login"), {"username": social_worker.username, "password": typed})
    client.post(reverse("login"), {"username": "finns-inte", "password": typed})
    entries = AccessLogEntry.objects.filter(action=A.FAILED_LOGIN).order_by("pk")
    assert [entry.username for entry in entries] == [social_worker.username, "finns-inte"]
    for entry in AccessLogEntry.objects.all():
        assert typed not in f"{entry.username} {entry.what} {entry.legal_basis}"


def test_a_replaced_authenticator_is_logged_as_removed(make_signed_in_client, social_worker):
    client = make_signed_in_client(social_worker)  # verified, so may enrol a replacement
    client.get(reverse("two_factor_setup"))
    pending = TOTPDevice.objects.get(user=social_worker, confirmed=False)
    assert client.post(reverse("two_factor_setup"), {"token": totp_token(pending)}).status_code == 302
    assert AccessLogEntry.objects.filter(user=social_worker, action=A.TWO_FACTOR_ENROLLED).count() == 1
    assert not AccessLogEntry.objects.filter(action=A.SIGN_IN).exists()  # no new sign-in
    removed = AccessLogEntry.objects.get(action=A.TWO_FACTOR_REMOVED)
    assert social_worker.username in removed.what


def test_a_superuser_removing_an_authenticator_in_the_admin_is_logged(make_signed_in_client, superuser, social_worker):
    device = confirmed_totp_device(social_worker)
    client = make_signed_in_client(superuser)
    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    entry = AccessLogEntry.objects.get(action=A.TWO_FACTOR_REMOVED)
    assert entry.user == superuser and social_worker.username in entry.what
