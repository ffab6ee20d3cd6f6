import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from tests.factories import confirmed_totp_device


@pytest.fixture
def client_for(db):
    """A separate client per user, signed in with password and a verified second factor."""

    def sign_in(user):
        http = Client()
        device = confirmed_totp_device(user)
        http.force_login(user)
        session = http.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return http

    return sign_in


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
