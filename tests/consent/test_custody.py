"""Joint custody needs every custodian (IOP 2.3): the custody type is recorded, the form refuses
joint custody with fewer than two custodians, and a guardian added after submission closes the
gate again until they have consented."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.services import consent_record
from groups.models import Placement
from groups.services import group_place_child
from partnership.models import AccessLogEntry, Role
from referrals.gate import gate_decision
from referrals.models import Custody, Guardian, Referral, ReferralStatus
from referrals.services import guardian_add, guardian_change
from tests.factories import make_agreement, make_group, make_referral, make_user
from tests.history import status_changes
from tests.referrals.test_submission import nothing_saved, referral_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(db):
    today = timezone.localdate()
    return make_agreement(starts_on=today - datetime.timedelta(days=200), ends_on=today + datetime.timedelta(days=500))


@pytest.fixture
def district_client(make_signed_in_client, social_worker, agreement):
    return make_signed_in_client(social_worker)


def consent(referral, guardian, by):
    consent_record(
        referral=referral,
        guardian=guardian,
        given_on=timezone.localdate(),
        method="meeting",
        information_given="Skriftlig information om stödgruppen.",
        recorded_by=by,
    )


def test_the_custody_types_include_the_social_welfare_board():
    assert set(Custody.values) == {"joint", "sole", "appointed", "board"}


def test_the_form_refuses_joint_custody_with_one_custodian_listed_and_keeps_the_input(district_client):
    response = district_client.post(
        reverse("referrals:create"),
        referral_post(**{"custody": "joint", "guardians-1-name": ""}),
    )
    assert response.status_code == 200
    message = "Gemensam vårdnad: ange alla 2 vårdnadshavare som har vårdnaden; alla ska samtycka."
    assert response.context["guardian_errors"] == [message]
    assert message in response.content.decode()
    assert 'value="Mona Lind"' in response.content.decode()
    assert nothing_saved()


def test_the_form_refuses_sole_custody_with_two_custodians(district_client):
    response = district_client.post(reverse("referrals:create"), referral_post(custody="sole"))
    assert response.status_code == 200
    assert "högst 1 vårdnadshavare" in response.context["guardian_errors"][0]
    assert nothing_saved()


def test_a_joint_custody_referral_with_one_guardian_does_not_open_after_that_one_consent(agreement):
    # The state main let in (or data from before the check): joint custody, one guardian listed.
    referral = make_referral(guardians=2, consents=0, agreement=agreement)
    social_worker = referral.submitted_by
    Guardian.objects.filter(referral=referral).order_by("-pk").first().delete()
    consent(referral, referral.guardians.get(), social_worker)
    referral.refresh_from_db()
    assert referral.custody == Custody.JOINT
    assert referral.status == ReferralStatus.AWAITING_CONSENT
    assert not gate_decision(referral).may_share_identity


def test_adding_a_custodian_to_a_ready_referral_closes_the_gate_until_they_consent(agreement):
    referral = make_referral(guardians=1, agreement=agreement)
    social_worker = referral.submitted_by
    assert referral.status == ReferralStatus.READY

    added = guardian_add(referral=referral, by=social_worker, name="Per Andersson", has_custody=True)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_CONSENT
    assert not gate_decision(referral).may_share_identity
    back = status_changes(referral)[-1]
    assert (back.old, back.new) == (ReferralStatus.READY, ReferralStatus.AWAITING_CONSENT)
    assert "Per Andersson" not in back.reason  # the history names no guardian
    assert AccessLogEntry.objects.filter(child_pseudonym=referral.pseudonym, what="Lade till vårdnadshavare").exists()

    consent(referral, added, social_worker)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.READY


def test_adding_a_guardian_without_custody_leaves_the_gate_open(agreement):
    referral = make_referral(guardians=1, agreement=agreement)
    guardian_add(referral=referral, by=referral.submitted_by, name="Morfar Sven", has_custody=False)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.READY


def test_correcting_a_guardian_to_have_custody_closes_the_gate_and_frees_the_place(agreement):
    referral = make_referral(guardians=1, agreement=agreement)
    social_worker = referral.submitted_by
    uncle = guardian_add(referral=referral, by=social_worker, name="Morbror Nils", has_custody=False)
    group = make_group(agreement=agreement)
    group_place_child(group=group, referral=referral, placed_by=make_user(Role.OPERATIONS_MANAGER))

    guardian_change(guardian=uncle, by=social_worker, name="Nils Berg", has_custody=True)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_CONSENT
    assert not Placement.objects.filter(referral=referral, removed_at__isnull=True).exists()
    assert AccessLogEntry.objects.filter(child_pseudonym=referral.pseudonym, what="Ändrade vårdnadshavare").exists()


def test_the_district_adds_a_guardian_from_the_referral_page(make_signed_in_client, agreement):
    referral = make_referral(guardians=1, agreement=agreement)
    client = make_signed_in_client(referral.submitted_by)
    page = client.get(reverse("referrals:detail", kwargs={"public_id": referral.public_id}))
    add_url = reverse("referrals:guardian_add", kwargs={"public_id": referral.public_id})
    assert add_url in page.content.decode()

    response = client.post(add_url, {"name": "Per Andersson", "has_custody": "on", "phone": "", "email": ""})

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_CONSENT
    assert referral.guardians.filter(name="Per Andersson", has_custody=True).exists()


def test_bris_and_another_district_cannot_add_guardians(make_signed_in_client, agreement):
    referral = make_referral(guardians=1, agreement=agreement)
    url = reverse("referrals:guardian_add", kwargs={"public_id": referral.public_id})
    data = {"name": "Inkräktare", "has_custody": "on"}
    manager = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    assert manager.post(url, data).status_code == 403
    other = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Bromma"))
    assert other.post(url, data).status_code == 404
    assert not Guardian.objects.filter(name="Inkräktare").exists()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.READY
