import itertools

import pytest
from django.core.exceptions import ValidationError

from partnership.models import Role
from referrals.models import ENDED_STATUSES, Referral, ReferralStatus
from referrals.services import ALLOWED_TRANSITIONS, REASON_REQUIRED, referral_transition
from tests.factories import make_referral, make_user
from tests.history import status_changes

pytestmark = pytest.mark.django_db

S = ReferralStatus
ALL_PAIRS = list(itertools.product(S.values, S.values))
LEGAL = [(a, b) for a, b in ALL_PAIRS if b in ALLOWED_TRANSITIONS[a]]
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in ALLOWED_TRANSITIONS[a]]


def referral_in(status: str) -> Referral:
    """A referral whose consent gate passes, put in `status` as test setup."""
    referral = make_referral()
    Referral.objects.filter(pk=referral.pk).update(status=status)
    referral.refresh_from_db()
    return referral


def test_the_lifecycle_has_the_issues_shape():
    # The issue's 17, and three back to awaiting consent when a custodian is added (guardian_add).
    assert len(LEGAL) == 20
    assert {(frm, to) for frm, to in LEGAL if to == S.AWAITING_CONSENT} >= {
        (S.READY, S.AWAITING_CONSENT),
        (S.WAITING_LIST, S.AWAITING_CONSENT),
        (S.PLACED, S.AWAITING_CONSENT),
    }
    assert (
        ALLOWED_TRANSITIONS[S.COMPLETED] == ALLOWED_TRANSITIONS[S.WITHDRAWN] == ALLOWED_TRANSITIONS[S.DECLINED] == set()
    )


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_every_legal_transition_is_made_and_recorded_with_who_and_why(from_status, to_status):
    referral = referral_in(from_status)
    manager = make_user(Role.OPERATIONS_MANAGER)
    referral_transition(referral=referral, to_status=to_status, by=manager, reason="  En orsak.  ")
    referral.refresh_from_db()
    assert referral.status == to_status
    record = status_changes(referral)[-1]
    assert (record.old, record.new, record.by, record.reason) == (
        from_status,
        to_status,
        manager,
        "En orsak.",
    )
    assert (referral.ended_at is not None) == (to_status in ENDED_STATUSES)


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_message_and_changes_nothing(from_status, to_status):
    referral = referral_in(from_status)
    transitions_before = len(status_changes(referral))
    with pytest.raises(ValidationError) as caught:
        referral_transition(
            referral=referral, to_status=to_status, by=make_user(Role.OPERATIONS_MANAGER), reason="En orsak."
        )
    assert caught.value.code == "illegal_transition"
    assert "kan inte gå från" in caught.value.messages[0]
    referral.refresh_from_db()
    assert referral.status == from_status
    assert len(status_changes(referral)) == transitions_before


@pytest.mark.parametrize("to_status", sorted(REASON_REQUIRED))
def test_withdrawing_or_declining_needs_a_written_reason(to_status):
    referral = referral_in(S.WAITING_LIST)
    with pytest.raises(ValidationError) as caught:
        referral_transition(referral=referral, to_status=to_status, by=make_user(Role.OPERATIONS_MANAGER), reason=" ")
    assert caught.value.code == "reason_required"
    referral.refresh_from_db()
    assert referral.status == S.WAITING_LIST
    assert referral.ended_at is None


def test_the_consent_gate_blocks_moving_on_without_every_custodians_consent():
    referral = make_referral(consents=1)
    assert referral.status == S.AWAITING_CONSENT
    with pytest.raises(ValidationError) as caught:
        referral_transition(referral=referral, to_status=S.READY, by=referral.submitted_by)
    assert caught.value.code == "gate"
    assert "samtycke" in caught.value.messages[0].lower()
    referral.refresh_from_db()
    assert referral.status == S.AWAITING_CONSENT


def test_placing_is_refused_while_the_gate_is_closed_even_from_the_waiting_list():
    referral = make_referral(consents=1)
    Referral.objects.filter(pk=referral.pk).update(status=S.WAITING_LIST)
    with pytest.raises(ValidationError) as caught:
        referral_transition(referral=referral, to_status=S.PLACED, by=make_user(Role.OPERATIONS_MANAGER))
    assert caught.value.code == "gate"


def test_ready_is_stamped_once_and_kept_when_the_child_goes_back_to_the_waiting_list():
    referral = make_referral()
    first_ready_at = referral.ready_at
    assert first_ready_at is not None
    manager = make_user(Role.OPERATIONS_MANAGER)
    referral_transition(referral=referral, to_status=S.PLACED, by=manager)
    referral_transition(referral=referral, to_status=S.WAITING_LIST, by=manager, reason="Flyttade.")
    referral.refresh_from_db()
    assert referral.ready_at == first_ready_at
