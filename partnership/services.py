"""State changes in the partnership app: two-factor devices and the access log."""

import datetime
import hashlib
import secrets
from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .logging import scrub_identity_numbers
from .models import AccessLogEntry, Membership, TwoFactorEnrolmentCode

# Unambiguous when read aloud or typed: no 0/O, 1/I/L.
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ENROLMENT_CODE_LENGTH = 12  # about 59 bits; the 2FA pages are rate limited too


def totp_device_get_or_create_pending(*, user: User) -> TOTPDevice:
    """The device a user is enrolling: an unconfirmed one is reused so the QR code stays stable."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Autentiseringsapp", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, enrolment_code: TwoFactorEnrolmentCode | None = None) -> TOTPDevice:
    """Confirm the authenticator being enrolled; a first one uses up its one-time enrolment code."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One confirmed authenticator per account: enrolling anew replaces the old one.
    for replaced in TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk):
        totp_device_remove(device=replaced, by=device.user)
    if enrolment_code is not None:
        enrolment_code.used_at = timezone.now()
        enrolment_code.save(update_fields=["used_at", "updated_at"])
    access_log_record(
        user=device.user, action=AccessLogEntry.Action.TWO_FACTOR_ENROLLED, what="Autentiseringsapp aktiverad"
    )
    return device


@transaction.atomic
def totp_device_remove(*, device: TOTPDevice, by: User) -> None:
    """Remove an authenticator (replaced, or by a superuser in the admin), logged on its account."""
    owner = device.user.get_username()
    device.delete()
    access_log_record(user=by, action=AccessLogEntry.Action.TWO_FACTOR_REMOVED, what=f"Autentiseringsapp för {owner}")


def membership_change_log(*, membership: Membership, by: User, removed: bool = False) -> None:
    """A role or district given, changed or taken away, in the access log with who did it."""
    if removed:
        what = f"{membership.user.get_username()}: medlemskap borttaget"
    else:
        district = f", {membership.district}" if membership.district_id else ""
        what = f"{membership.user.get_username()}: {membership.role}, {membership.organisation}{district}"
    access_log_record(user=by, action=AccessLogEntry.Action.MEMBERSHIP_CHANGED, what=what)


def account_rights_change_log(*, user: User, by: User) -> None:
    """An account's own rights (active, staff, superuser) set in the admin, logged with who did it."""
    flags = ", ".join(f"{flag}={getattr(user, flag)}" for flag in ("is_active", "is_staff", "is_superuser"))
    access_log_record(user=by, action=AccessLogEntry.Action.MEMBERSHIP_CHANGED, what=f"{user.get_username()}: {flags}")


def _enrolment_code_hash(code: str) -> str:
    normalised = "".join(character for character in code.upper() if character.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


@transaction.atomic
def two_factor_enrolment_code_issue(*, user: User, by: User | None = None) -> str:
    """A new one-time enrolment code for `user`; earlier unused ones stop working. Returns the code
    itself, shown once to the superuser who passes it on: only its hash is kept."""
    TwoFactorEnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
    code = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    TwoFactorEnrolmentCode.objects.create(
        user=user,
        code_hash=_enrolment_code_hash(code),
        issued_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=settings.TWO_FACTOR_ENROLMENT_CODE_DAYS),
    )
    access_log_record(
        user=by if by is not None else user,
        action=AccessLogEntry.Action.TWO_FACTOR_CODE_ISSUED,
        what=f"Engångskod för {user.get_username()}",
    )
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


def two_factor_enrolment_code_valid(
    *, user: User, code: str = "", pk: int | None = None
) -> TwoFactorEnrolmentCode | None:
    """The user's unused, unexpired enrolment code matching `code` (or with this pk), or None."""
    codes = TwoFactorEnrolmentCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
    if pk is not None:
        return codes.filter(pk=pk).first()
    return codes.filter(code_hash=_enrolment_code_hash(code)).first() if code else None


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
    access_log_record_pseudonyms(
        user=user,
        pseudonyms=[referral.pseudonym for referral in referrals],
        action=action,
        legal_basis=legal_basis,
        what=what,
    )


def access_log_record_pseudonyms(
    *, user: User, pseudonyms: Collection[str], action: str, legal_basis: str = "", what: str = ""
) -> None:
    """One entry per child, by pseudonym: also for a record that kept only the pseudonym after the
    child's data was purged (a travel cost, a fee)."""
    if not pseudonyms:
        return
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            user=user,
            username=scrub_identity_numbers(user.get_username())[:150],
            child_pseudonym=pseudonym[:12],
            action=action,
            legal_basis=legal_basis[:200],
            what=scrub_identity_numbers(what)[:200],
        )
        for pseudonym in dict.fromkeys(pseudonyms)
    )
