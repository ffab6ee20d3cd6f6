"""Submitting a referral: the rules, what a bad submission tells the user, and that it saves
nothing; the identity number encrypted at rest and never echoed into a list or a log."""

import datetime
import logging
import uuid

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partnership.models import AccessLogEntry, Role
from referrals.models import ChildIdentity, Guardian, Referral, ReferralStatus
from referrals.services import _referral_insert, referral_transition
from tests.factories import (
    SEED_AGREEMENT_PERIOD,
    identity_number_for,
    make_agreement,
    make_referral,
    make_user,
    shift_years,
)
from tests.history import status_changes

pytestmark = pytest.mark.django_db


def planned_start() -> datetime.date:
    # Read when the test runs, not when the module is imported (a run may cross midnight).
    return timezone.localdate() + datetime.timedelta(days=60)


def child_born(age: int) -> datetime.date:
    return shift_years(planned_start(), -age) - datetime.timedelta(days=10)


def with_wrong_check_digit(number: str) -> str:
    # Any other last digit: a fixed "0" was the right one on one day in ten.
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def referral_post(**overrides) -> dict:
    data = {
        "first_name": "Saga",
        "last_name": "Lind",
        "identity_number": identity_number_for(child_born(10)),
        "foster_home_name": "Familjen Berg",
        "foster_contact_person": "Bo Berg",
        "foster_phone": "070-111 22 33",
        "placement_basis": "sol",
        "custody": "joint",
        "planned_start": planned_start().isoformat(),
        "case_officer_name": "Hanna Handläggare",
        "needs_language": "Svenska och arabiska",
        "guardians-TOTAL_FORMS": "2",
        "guardians-INITIAL_FORMS": "0",
        "guardians-MIN_NUM_FORMS": "0",
        "guardians-MAX_NUM_FORMS": "4",
        "guardians-0-name": "Mona Lind",
        "guardians-0-has_custody": "on",
        "guardians-1-name": "Per Lind",
        "guardians-1-has_custody": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def agreement(db):
    today = timezone.localdate()
    return make_agreement(starts_on=today - datetime.timedelta(days=200), ends_on=today + datetime.timedelta(days=500))


@pytest.fixture
def district_client(make_signed_in_client, social_worker, agreement):
    return make_signed_in_client(social_worker)


def nothing_saved():
    return not (
        Referral.objects.exists()
        or ChildIdentity.objects.exists()
        or Guardian.objects.exists()
        or LogEntry.objects.get_for_model(Referral).exists()
        or AccessLogEntry.objects.exists()
    )


def test_a_social_worker_submits_a_sol_referral_which_then_awaits_consent(district_client, social_worker):
    response = district_client.post(reverse("referrals:create"), referral_post())
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", kwargs={"public_id": referral.public_id})
    assert referral.status == ReferralStatus.AWAITING_CONSENT
    assert referral.district == social_worker.membership.district
    assert referral.district_acknowledged_at is not None  # the district referred, so it is informed
    assert referral.age_at_planned_start == 10
    assert [g.name for g in referral.guardians.order_by("name")] == ["Mona Lind", "Per Lind"]
    assert referral.child.first_name == "Saga"
    assert referral.needs_language == "Svenska och arabiska"
    assert [(change.old, change.new) for change in status_changes(referral)] == [
        (None, ReferralStatus.SUBMITTED),
        (ReferralStatus.SUBMITTED, ReferralStatus.AWAITING_CONSENT),
    ]


def test_an_lvu_referral_is_ready_at_once_and_records_the_legal_basis(district_client):
    data = referral_post(
        placement_basis="lvu", lvu_legal_basis="3 § LVU", **{"guardians-0-name": "", "guardians-1-name": ""}
    )
    district_client.post(reverse("referrals:create"), data)
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.READY
    assert referral.lvu_legal_basis == "3 § LVU"


BAD_SUBMISSIONS = {
    "wrong check digit": (
        lambda: {"identity_number": with_wrong_check_digit(identity_number_for(child_born(10), serial=321))},
        "identity_number",
        "kontrollsiffran",
    ),
    "future birth date": (
        lambda: {"identity_number": identity_number_for(timezone.localdate() + datetime.timedelta(days=3))},
        "identity_number",
        "framtiden",
    ),
    "not a number": (lambda: {"identity_number": "hej"}, "identity_number", "ÅÅÅÅMMDD-NNNN"),
    "too young": (
        lambda: {"identity_number": identity_number_for(child_born(5))},
        "planned_start",
        "gäller barn 7–18 år",
    ),
    "too old": (
        lambda: {"identity_number": identity_number_for(child_born(19))},
        "planned_start",
        "gäller barn 7–18 år",
    ),
    "lvu without its legal basis": (
        lambda: {"placement_basis": "lvu", "lvu_legal_basis": ""},
        "lvu_legal_basis",
        "lagrummet",
    ),
    "other municipality not named": (lambda: {"is_external": "on"}, "external_municipality", "kommun"),
    "missing first name": (lambda: {"first_name": ""}, "first_name", "måste fyllas i"),
    "bad foster email": (lambda: {"foster_email": "inte-en-adress"}, "foster_email", "e-postadress"),
}


@pytest.mark.parametrize("case", BAD_SUBMISSIONS, ids=list(BAD_SUBMISSIONS))
def test_a_bad_submission_says_what_is_wrong_beside_the_field_keeps_the_input_and_saves_nothing(district_client, case):
    overrides, field, message = BAD_SUBMISSIONS[case]
    response = district_client.post(reverse("referrals:create"), referral_post(**overrides()))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert 'value="Familjen Berg"' in html  # what the user typed is still there
    assert 'value="Mona Lind"' in html
    assert nothing_saved()


def test_a_sol_referral_without_any_custodian_is_refused_and_keeps_the_input(district_client):
    response = district_client.post(
        reverse("referrals:create"),
        referral_post(**{"guardians-0-has_custody": None, "guardians-1-has_custody": None}),
    )
    assert response.status_code == 200
    assert "Ange minst en vårdnadshavare med vårdnaden." in response.context["guardian_errors"]
    assert "Ange minst en vårdnadshavare med vårdnaden." in response.content.decode()
    assert nothing_saved()


@pytest.mark.parametrize("age", [6, 19])
def test_an_age_outside_the_target_group_is_refused_even_with_a_written_reason(district_client, age):
    response = district_client.post(
        reverse("referrals:create"),
        referral_post(
            identity_number=identity_number_for(child_born(age)),
            age_override_reason="Syskon till ett barn i gruppen; mogen för gruppen enligt familjehemmet.",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["planned_start"]
    assert errors == [
        f"Barnet är {age} år vid önskad start; överenskommelsen gäller barn 7–18 år. "
        "Barn utanför målgruppen kan inte anmälas eller placeras."
    ]
    assert "age_override_reason" not in response.context["form"].fields
    assert nothing_saved()


def test_the_same_child_cannot_have_two_active_referrals_and_the_second_district_learns_nothing(
    make_signed_in_client, agreement
):
    first = make_referral(district_name="Bromma", first_name="Ida", last_name="Holm", agreement=agreement)
    number = first.child.identity_number
    farsta = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Farsta"))
    response = farsta.post(reverse("referrals:create"), referral_post(identity_number=number))
    assert response.status_code == 200
    errors = response.context["form"].errors["identity_number"]
    assert errors == [
        "Det finns redan en aktiv anmälan för det här barnet. Kontakta Bris verksamhetsansvarig om du behöver veta mer."
    ]
    html = response.content.decode()
    assert "Bromma" not in html.split('id="main"')[-1]
    assert first.pseudonym not in html
    assert Referral.objects.count() == 1


def test_a_child_whose_earlier_referral_ended_can_be_referred_again(district_client, agreement):

    earlier = make_referral(agreement=agreement)
    number = earlier.child.identity_number
    referral_transition(referral=earlier, to_status=ReferralStatus.WITHDRAWN, by=earlier.submitted_by, reason="Flytt.")
    response = district_client.post(reverse("referrals:create"), referral_post(identity_number=number))
    assert response.status_code == 302
    assert Referral.objects.count() == 2


def test_the_identity_number_is_encrypted_at_rest_and_only_its_keyed_hash_is_searchable(agreement):
    referral = make_referral(agreement=agreement)
    number = referral.child.identity_number
    with connection.cursor() as cursor:
        cursor.execute("SELECT identity_number FROM referrals_childidentity WHERE referral_id = %s", [referral.pk])
        (stored,) = cursor.fetchone()
    assert number not in stored
    assert number.replace("-", "") not in stored
    assert number[2:] not in stored
    assert ChildIdentity.objects.get(referral=referral).identity_number == number
    assert number not in referral.identity_hash


def test_the_identity_number_is_never_written_to_a_log_line(district_client, caplog):
    number = identity_number_for(child_born(10))
    with caplog.at_level(logging.DEBUG):
        district_client.post(reverse("referrals:create"), referral_post(identity_number=number))
        district_client.post(reverse("referrals:create"), referral_post(identity_number=number))  # duplicate
    assert Referral.objects.count() == 1
    assert number not in caplog.text
    assert number[2:].replace("-", "") not in caplog.text.replace("-", "")


def test_the_form_can_be_opened_empty_with_the_case_officer_prefilled(district_client, social_worker):
    response = district_client.get(reverse("referrals:create"))
    assert response.status_code == 200
    assert response.context["form"].initial["case_officer_name"] == social_worker.get_full_name()


def test_a_referral_outside_every_agreement_is_refused_and_nothing_is_saved(make_signed_in_client, social_worker, db):
    """A referral belongs to the agreement in force on the day it is made: with only an agreement
    that has ended, it is refused with a clear message, never filed under the latest one."""
    make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    response = make_signed_in_client(social_worker).post(reverse("referrals:create"), referral_post())
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "Ingen överenskommelse gäller" in errors[0] and "2017-01-01–2018-12-31" in errors[0]
    assert nothing_saved()


def test_a_pseudonym_drawn_twice_is_drawn_again_and_the_referral_is_saved(monkeypatch, agreement):
    # At national scale about one new referral in 10 000 draws a pseudonym another referral holds.
    taken = make_referral(agreement=agreement).pseudonym
    draws = iter([taken, taken, "B-NEWONE"])
    monkeypatch.setattr("referrals.services.new_pseudonym", lambda: next(draws))

    referral = make_referral(agreement=agreement, first_name="Ella")

    assert referral.pseudonym == "B-NEWONE"
    assert Referral.objects.filter(pseudonym=taken).count() == 1
    assert referral.child.first_name == "Ella"


def test_a_concurrent_submission_for_the_same_child_is_told_as_a_duplicate_and_not_drawn_again(monkeypatch, agreement):
    """The child's unique constraint refused the insert (the other submission passed the check
    first), not the pseudonym's: the user hears of the duplicate, and no second draw is tried."""
    first = make_referral(agreement=agreement)
    draws = []
    monkeypatch.setattr("referrals.services.new_pseudonym", lambda: draws.append(1) or f"B-RACE{len(draws):02d}")
    second = Referral.objects.get(pk=first.pk)
    second.pk = None
    second.public_id = uuid.uuid4()

    with pytest.raises(ValidationError, match="redan en aktiv anmälan"):
        _referral_insert(second)
    assert len(draws) == 1
    assert Referral.objects.count() == 1
