"""What the district writes stays with the district: Bris reads the district's free text only
while the consent gate is open, never before it and never after a withdrawal. Bris sees that the
status changed, and when."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.services import consent_withdraw
from partnership.models import Role
from referrals.models import ReferralStatus
from referrals.services import referral_transition
from tests.factories import make_agreement, make_referral, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(db):
    today = timezone.localdate()
    return make_agreement(starts_on=today - datetime.timedelta(days=200), ends_on=today + datetime.timedelta(days=500))


@pytest.fixture
def bris_clients(make_signed_in_client):
    def clients():
        # One signed-in client at a time: the fixture's client is shared.
        for role in (Role.OPERATIONS_MANAGER, Role.GROUP_LEADER):
            yield make_signed_in_client(make_user(role))

    return clients


def detail_html(client, referral) -> str:
    response = client.get(reverse("referrals:detail", kwargs={"public_id": referral.public_id}))
    assert response.status_code == 200
    return response.content.decode()


def test_bris_never_reads_the_districts_withdrawal_reason_with_the_guardians_name(agreement, bris_clients):
    referral = make_referral(agreement=agreement, needs_other="Rädd för hundar.")
    guardian = referral.guardians.first()
    consent = guardian.consents.get()
    reason = f"{guardian.name} vill inte längre att Bris har kontakt med barnet."
    consent_withdraw(consent=consent, by=referral.submitted_by, reason=reason)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN

    for client in bris_clients():
        html = detail_html(client, referral)
        assert guardian.name not in html
        assert "vill inte längre" not in html
        assert "Rädd för hundar" not in html  # the needs too, once withdrawn
        # Bris sees that the status changed, and when.
        assert "Återtagen" in html
        assert f"{timezone.localtime(referral.status_changed_at):%Y-%m-%d}" in html
        client.logout()


def test_the_district_still_reads_its_own_withdrawal_reason(agreement, make_signed_in_client):
    referral = make_referral(agreement=agreement)
    guardian = referral.guardians.first()
    consent_withdraw(consent=guardian.consents.get(), by=referral.submitted_by, reason=f"{guardian.name} ångrade sig.")
    html = detail_html(make_signed_in_client(referral.submitted_by), referral)
    assert f"{guardian.name} ångrade sig." in html


def test_a_reason_the_district_wrote_before_the_gate_is_not_shown_to_bris(agreement, bris_clients):
    referral = make_referral(agreement=agreement, consents=0)
    assert referral.status == ReferralStatus.AWAITING_CONSENT
    referral_transition(
        referral=referral,
        to_status=ReferralStatus.WITHDRAWN,
        by=referral.submitted_by,
        reason="Familjehemmet Ek flyttar till Umeå.",
    )
    for client in bris_clients():
        html = detail_html(client, referral)
        assert "Umeå" not in html
        assert "Återtagen" in html
        client.logout()


def test_bris_reads_the_needs_before_the_gate_and_its_own_decline_reason(agreement, make_signed_in_client):
    referral = make_referral(agreement=agreement, consents=0, needs_language="Tolk på arabiska")
    manager = make_user(Role.OPERATIONS_MANAGER)
    client = make_signed_in_client(manager)
    assert "Tolk på arabiska" in detail_html(client, referral)

    referral_transition(
        referral=referral, to_status=ReferralStatus.DECLINED, by=manager, reason="Ingen grupp i höst passar åldern."
    )
    html = detail_html(client, referral)
    assert "Ingen grupp i höst passar åldern." in html
    assert "Tolk på arabiska" not in html


def test_the_lvu_legal_basis_is_the_districts_text_and_hidden_after_a_withdrawal(agreement, make_signed_in_client):
    referral = make_referral(agreement=agreement, placement_basis="lvu", guardians=0)
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    assert "2 § LVU" in detail_html(client, referral)  # the gate is open
    referral_transition(
        referral=referral, to_status=ReferralStatus.WITHDRAWN, by=referral.submitted_by, reason="Vården upphörde."
    )
    html = detail_html(client, referral)
    assert "2 § LVU" not in html
    assert "Vården upphörde" not in html


def test_the_form_labels_the_needs_as_visible_to_bris_before_consent(agreement, make_signed_in_client):
    client = make_signed_in_client(make_user(Role.SOCIAL_WORKER))
    html = client.get(reverse("referrals:create")).content.decode()
    assert html.count("Syns för Bris redan innan samtycket finns") >= 4
