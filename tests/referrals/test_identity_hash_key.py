"""The duplicate-child check survives rotation of the encryption keys: the identity-number hash
has a stable key of its own (IDENTITY_HASH_KEY)."""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.utils import timezone

from partnership import encryption
from referrals.identity_hashes import rebuild_identity_hashes
from referrals.models import ChildIdentity, Referral
from referrals.services import ChildDetails, GuardianDetails, referral_submit
from tests.factories import district, identity_number_for, make_agreement, make_referral, make_user, shift_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def rotate(settings):
    """Rotate the encryption keys as the README describes: a new first key, the old one kept to
    decrypt. The Fernet instance is cached, so it is rebuilt on each change."""

    def rotate_to(new_key: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
        encryption._fernet.cache_clear()

    yield rotate_to
    encryption._fernet.cache_clear()


def submit_for(number: str, *, by, agreement) -> Referral:
    return referral_submit(
        submitted_by=by,
        agreement=agreement,
        district=district("Farsta"),
        child=ChildDetails(
            first_name="Saga",
            last_name="Lind",
            identity_number=number,
            foster_home_name="Familjen Berg",
            foster_contact_person="Bo Berg",
            foster_phone="070-111 22 33",
        ),
        guardians=[GuardianDetails(name="Mona Lind")],
        placement_basis="sol",
        custody="sole",
        planned_start=timezone.localdate() + datetime.timedelta(days=30),
        case_officer_name="Hanna Handläggare",
    )


def test_a_second_active_referral_for_the_same_child_is_refused_after_a_key_rotation(rotate):
    today = timezone.localdate()
    agreement = make_agreement(
        starts_on=today - datetime.timedelta(days=100), ends_on=today + datetime.timedelta(days=400)
    )
    social_worker = make_user("social_worker")
    number = identity_number_for(shift_years(timezone.localdate(), -10))
    first = submit_for(number, by=social_worker, agreement=agreement)

    rotate(Fernet.generate_key().decode())

    with pytest.raises(ValidationError) as refused:
        submit_for(number, by=social_worker, agreement=agreement)
    assert refused.value.message_dict["identity_number"][0].startswith("Det finns redan en aktiv anmälan")
    # The old identity is still readable after the rotation, and still the only active referral.
    assert ChildIdentity.objects.get(referral=first).identity_number == number
    assert Referral.objects.count() == 1


def test_the_hash_does_not_depend_on_the_encryption_keys(settings, rotate):
    before = encryption.keyed_hash("20150314-1234")
    rotate(Fernet.generate_key().decode())
    assert encryption.keyed_hash("20150314-1234") == before
    settings.IDENTITY_HASH_KEY = "another-identity-hash-key-of-32-characters-or-more"
    assert encryption.keyed_hash("20150314-1234") != before


def test_rebuilding_the_hashes_under_a_new_hash_key_keeps_the_duplicate_check(settings):
    referral = make_referral()
    number = referral.child.identity_number
    settings.IDENTITY_HASH_KEY = "a-new-identity-hash-key-after-a-suspected-leak"

    call_command("rebuild_identity_hashes", verbosity=0)

    referral.refresh_from_db()
    assert referral.identity_hash == encryption.keyed_hash(number)
    with pytest.raises(ValidationError):
        submit_for(number, by=referral.submitted_by, agreement=referral.agreement)


def test_rebuilding_refuses_and_changes_nothing_when_two_active_referrals_are_the_same_child(settings):
    first = make_referral()
    second = make_referral()
    # The state a broken check left behind: the second is the same child under an old hash.
    ChildIdentity.objects.filter(referral=second).update(identity_number=first.child.identity_number)
    hashes = dict(Referral.objects.values_list("pk", "identity_hash"))

    with pytest.raises(ImproperlyConfigured) as refused:
        rebuild_identity_hashes(Referral)

    assert first.pseudonym in str(refused.value) and second.pseudonym in str(refused.value)
    assert first.child.identity_number not in str(refused.value)
    assert dict(Referral.objects.values_list("pk", "identity_hash")) == hashes
