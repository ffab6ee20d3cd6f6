import pytest

from referrals.models import ReferralStatus
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def test_sol_referral_with_both_consents_is_ready():
    assert make_referral().status == ReferralStatus.READY


def test_sol_referral_missing_a_consent_awaits_consent():
    assert make_referral(consents=1).status == ReferralStatus.AWAITING_CONSENT


def test_lvu_referral_needs_no_consent():
    assert make_referral(placement_basis="lvu", guardians=0).status == ReferralStatus.READY
