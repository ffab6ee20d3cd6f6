"""Encryption at rest for identity numbers, and a keyed hash to find duplicates without them.

Keys come from FIELD_ENCRYPTION_KEY (comma-separated Fernet keys; the first encrypts, all decrypt).
The hash has a key of its own, IDENTITY_HASH_KEY, that does not change when the encryption keys
rotate: the duplicate check compares hashes made years apart.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.strip()) for key in settings.FIELD_ENCRYPTION_KEYS])


def keyed_hash(value: str, *, key: str | None = None) -> str:
    """HMAC-SHA256 of a normalised value under IDENTITY_HASH_KEY (or `key`, when rebuilding the
    hashes under a new one).

    Equal values give equal hashes (the duplicate check), but without the key nobody can test a
    guessed identity number against the hash, as they could against a plain SHA-256. The key is
    not an encryption key, so rotating FIELD_ENCRYPTION_KEY leaves every hash valid.
    """
    secret = (key or settings.IDENTITY_HASH_KEY).strip().encode()
    derived = hmac.new(secret, b"identity-hash", hashlib.sha256).digest()
    return hmac.new(derived, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code only ever sees the plain text."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return None
        return _fernet().encrypt(str(value).encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value is None:
            return ""
        return _fernet().decrypt(value.encode()).decode()

    def get_lookup(self, lookup_name):
        # Ciphertext is randomised: a lookup could only ever silently match nothing.
        if lookup_name != "isnull":
            raise NotImplementedError("Encrypted fields cannot be searched; use the keyed hash.")
        return super().get_lookup(lookup_name)
