"""State changes in the partnership app: two-factor devices and the access log."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .logging import scrub_identity_numbers
from .models import AccessLogEntry


def totp_device_get_or_create_pending(*, user: User) -> TOTPDevice:
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


# --- The access log (IOP 2.3): every app writes it, nobody changes it --------------------------


def access_log_record(
    *, user: User | None, action: str, referral: Any = None, legal_basis: str = "", what: str = ""
) -> AccessLogEntry:
    """Append one entry. Only the child's pseudonym is stored, never a name or identity number."""
    username = user.get_username() if user is not None else ""
    return AccessLogEntry.objects.create(
        user=user if user is not None and user.pk else None,
        username=scrub_identity_numbers(username)[:150],
        child_pseudonym=referral.pseudonym if referral is not None else "",
        action=action,
        legal_basis=legal_basis[:200],
        what=scrub_identity_numbers(what)[:200],
    )


def access_log_record_many(
    *, user: User, referrals: Iterable[Any], action: str, legal_basis: str = "", what: str = ""
) -> None:
    """One entry per child shown, in one query (list pages)."""
    if not referrals:
        return
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            user=user,
            username=scrub_identity_numbers(user.get_username())[:150],
            child_pseudonym=referral.pseudonym,
            action=action,
            legal_basis=legal_basis[:200],
            what=scrub_identity_numbers(what)[:200],
        )
        for referral in referrals
    )
