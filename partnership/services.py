"""State changes in the partnership app."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device_get_or_create_pending(*, user) -> TOTPDevice:
    """The device a user is enrolling: an unconfirmed one is reused so the QR code stays stable."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Autentiseringsapp", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> TOTPDevice:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One confirmed authenticator per account: enrolling anew replaces the old one.
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    return device
