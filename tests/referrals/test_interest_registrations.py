"""A foster family's intresseanmälan: Bris records it, and only the child's district can turn it
into a referral (or say it is not relevant)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partnership.models import District, Role
from referrals.models import InterestRegistration, Referral, ReferralStatus
from tests.factories import SEED_AGREEMENT_PERIOD, make_agreement, make_user
from tests.referrals.test_submission import referral_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(make_signed_in_client, group_leader):
    make_agreement_for_today()
    client = make_signed_in_client(group_leader)
    response = client.post(
        reverse("referrals:interest_create"),
        {
            "district": District.objects.get(name="Farsta").pk,
            "child_first_name": "Elsa",
            "child_birth_year": "2015",
            "foster_contact_person": "Lisa Familjehem",
            "foster_phone": "070-222 33 44",
            "message": "Elsa vill gärna gå i grupp med andra i samma situation.",
        },
    )
    assert response.status_code == 302
    return InterestRegistration.objects.get()


def make_agreement_for_today():

    today = timezone.localdate()
    return make_agreement(starts_on=today - datetime.timedelta(days=100), ends_on=today + datetime.timedelta(days=600))


def confirm_url(registration):
    return reverse("referrals:interest_confirm", kwargs={"public_id": registration.public_id})


def test_bris_records_an_interest_registration_that_waits_for_the_district(registration, group_leader):
    assert registration.status == InterestRegistration.Status.PENDING
    assert registration.recorded_by == group_leader
    assert registration.referral is None
    assert not Referral.objects.exists()  # it does not count as a referral yet


def test_only_the_childs_district_sees_it(registration, make_signed_in_client):
    farsta = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Farsta"))
    assert list(farsta.get(reverse("referrals:interest_list")).context["registrations"]) == [registration]
    bromma_user = make_user(Role.SOCIAL_WORKER, district_name="Bromma")
    bromma = make_signed_in_client(bromma_user)
    assert list(bromma.get(reverse("referrals:interest_list")).context["registrations"]) == []
    assert bromma.get(confirm_url(registration)).status_code == 404


def test_bris_cannot_confirm_its_own_registration(registration, make_signed_in_client, operations_manager):
    assert make_signed_in_client(operations_manager).get(confirm_url(registration)).status_code == 403


def test_the_district_confirms_and_it_becomes_a_referral_from_the_district(registration, make_signed_in_client):
    farsta_user = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    client = make_signed_in_client(farsta_user)
    form = client.get(confirm_url(registration)).context["form"]
    assert form.initial["first_name"] == "Elsa"
    assert form.initial["foster_contact_person"] == "Lisa Familjehem"
    response = client.post(confirm_url(registration), referral_post(first_name="Elsa"))
    referral = Referral.objects.get()
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == InterestRegistration.Status.CONFIRMED
    assert registration.referral == referral
    assert registration.decided_by == farsta_user
    assert referral.source == Referral.Source.INTEREST
    assert referral.submitted_by == farsta_user
    assert referral.status == ReferralStatus.AWAITING_CONSENT


def test_a_failed_confirmation_keeps_the_registration_pending_and_saves_nothing(registration, make_signed_in_client):
    client = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Farsta"))
    response = client.post(confirm_url(registration), referral_post(identity_number="20150314-1230"))
    assert response.status_code == 200
    assert response.context["form"].errors["identity_number"]
    registration.refresh_from_db()
    assert registration.status == InterestRegistration.Status.PENDING
    assert not Referral.objects.exists()


def test_the_district_marks_it_not_relevant_with_a_reason_once(registration, make_signed_in_client):
    client = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Farsta"))
    url = reverse("referrals:interest_reject", kwargs={"public_id": registration.public_id})
    assert client.post(url, {"reason": ""}).status_code == 200  # reason required
    registration.refresh_from_db()
    assert registration.status == InterestRegistration.Status.PENDING
    assert client.post(url, {"reason": "Barnet är redan i annan stödverksamhet."}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == InterestRegistration.Status.REJECTED
    assert registration.decision_note == "Barnet är redan i annan stödverksamhet."
    second = client.post(url, {"reason": "Igen."})
    assert "Intresseanmälan är redan behandlad." in second.content.decode()
    assert client.post(confirm_url(registration), referral_post()).status_code == 200
    assert not Referral.objects.exists()


def test_a_registration_form_with_missing_fields_keeps_the_input(make_signed_in_client, group_leader):
    make_agreement_for_today()
    response = make_signed_in_client(group_leader).post(
        reverse("referrals:interest_create"), {"child_first_name": "Elsa", "child_birth_year": "1800"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"district", "child_birth_year", "foster_contact_person", "foster_phone"}
    assert 'value="Elsa"' in response.content.decode()
    assert not InterestRegistration.objects.exists()


def test_social_workers_do_not_record_interest_registrations(make_signed_in_client, social_worker):
    assert make_signed_in_client(social_worker).get(reverse("referrals:interest_create")).status_code == 403


def test_an_interest_registration_outside_every_agreement_is_refused_and_kept_in_the_form(
    make_signed_in_client, group_leader
):
    """It belongs to the agreement in force on the day it is recorded; with only one that has
    ended, it is refused with a clear message, never filed under the latest agreement."""
    make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    response = make_signed_in_client(group_leader).post(
        reverse("referrals:interest_create"),
        {
            "district": District.objects.get(name="Farsta").pk,
            "child_first_name": "Elsa",
            "child_birth_year": "2015",
            "foster_contact_person": "Lisa Familjehem",
            "foster_phone": "070-222 33 44",
            "message": "",
        },
    )
    assert response.status_code == 200
    assert "Ingen överenskommelse gäller" in response.context["form"].non_field_errors()[0]
    assert response.context["form"]["child_first_name"].value() == "Elsa"
    assert not InterestRegistration.objects.exists()
