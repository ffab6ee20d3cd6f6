"""The consent gate (consent.gate.evaluate_consent) over every combination of its facts.

The rule (IOP 2.3, DOMAIN "Referral and consent"):
- SoL: Bris may receive the child's identity only when there is at least one guardian with custody
  and every guardian with custody has a standing consent; guardians without custody do not matter.
- LVU: no consent is needed, but the legal basis of the care must be recorded.
- Participation may be registered only when identity may be shared AND the district has
  acknowledged the registration (IOP 3.1.2). The acknowledgement does not gate identity.
- Every missing piece is named in `missing`.
"""

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from consent.gate import ConsentDecision, GuardianFact
from consent.gate import evaluate_consent as evaluate_with_custody
from consent.models import GuardianConsent
from referrals.gate import gate_decision as consent_decision
from referrals.models import PlacementBasis
from tests.factories import make_referral

NO_CUSTODIAN = "Ingen vårdnadshavare med vårdnaden är registrerad."
NO_LVU_BASIS = "Lagrum för LVU-vården är inte angivet."
NO_BASIS = "Placeringsgrund (SoL eller LVU) är inte angiven."
NOT_ACKNOWLEDGED = "Stadsdelen har inte bekräftat att den känner till anmälan."


def evaluate_consent(**facts) -> ConsentDecision:
    """The rule as it was before custody types mattered: sole custody needs one custodian, so
    these properties hold for it unchanged. The custody types have tests of their own below."""
    return evaluate_with_custody(custody="sole", **facts)


def missing_consent(name: str) -> str:
    return f"Samtycke saknas från {name}."


@st.composite
def guardian_lists(draw, max_size=5):
    flags = draw(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=max_size))
    return [
        GuardianFact(
            guardian_id=index + 1, name=f"Vårdnadshavare {index + 1}", has_custody=custody, has_standing_consent=ok
        )
        for index, (custody, ok) in enumerate(flags)
    ]


# The machine is shared: a slow example is not a failure of the rule.
NO_DEADLINE = settings(deadline=None)

lvu_bases = st.sampled_from(["", "   ", "\t\n", "2 § LVU", "3 § LVU", " 2 § LVU "])


def sol_expected_identity(guardians) -> bool:
    custodians = [guardian for guardian in guardians if guardian.has_custody]
    return bool(custodians) and all(guardian.has_standing_consent for guardian in custodians)


# --- SoL ------------------------------------------------------------------------------------


@NO_DEADLINE
@given(guardians=guardian_lists(), acknowledged=st.booleans(), lvu_basis=lvu_bases)
def test_sol_shares_identity_iff_every_custodian_consented_and_there_is_one(guardians, acknowledged, lvu_basis):
    decision = evaluate_consent(
        placement_basis=PlacementBasis.SOL,
        guardians=guardians,
        lvu_legal_basis=lvu_basis,  # irrelevant for SoL
        district_acknowledged=acknowledged,
    )
    expected = sol_expected_identity(guardians)
    assert decision.may_share_identity is expected
    assert decision.may_register_participation is (expected and acknowledged)


@NO_DEADLINE
@given(guardians=guardian_lists(), acknowledged=st.booleans())
def test_sol_names_exactly_the_missing_pieces(guardians, acknowledged):
    decision = evaluate_consent(placement_basis="sol", guardians=guardians, district_acknowledged=acknowledged)
    custodians = [guardian for guardian in guardians if guardian.has_custody]
    expected = [] if custodians else [NO_CUSTODIAN]
    expected += [missing_consent(g.name) for g in custodians if not g.has_standing_consent]
    if not acknowledged:
        expected.append(NOT_ACKNOWLEDGED)
    assert list(decision.missing) == expected
    # Nothing is missing exactly when participation may be registered.
    assert (decision.missing == ()) is decision.may_register_participation
    # What Bris may read before the gate passes says the same without naming anyone.
    assert (decision.missing_without_names == ()) is (decision.missing == ())
    assert not any(g.name in item for g in guardians for item in decision.missing_without_names)


@NO_DEADLINE
@given(guardians=guardian_lists(), acknowledged=st.booleans(), data=st.data())
def test_sol_guardians_without_custody_do_not_matter(guardians, acknowledged, data):
    """Adding or changing non-custodial guardians never changes the decision."""
    baseline = evaluate_consent(placement_basis="sol", guardians=guardians, district_acknowledged=acknowledged)
    extra = [
        GuardianFact(guardian_id=100 + n, name=f"Utan vårdnad {n}", has_custody=False, has_standing_consent=ok)
        for n, ok in enumerate(data.draw(st.lists(st.booleans(), min_size=1, max_size=3)))
    ]
    mixed = data.draw(st.permutations([*guardians, *extra]))
    decision = evaluate_consent(placement_basis="sol", guardians=mixed, district_acknowledged=acknowledged)
    assert decision.may_share_identity is baseline.may_share_identity
    assert decision.may_register_participation is baseline.may_register_participation
    assert sorted(decision.missing) == sorted(baseline.missing)
    assert not any("Utan vårdnad" in item for item in decision.missing)


@NO_DEADLINE
@given(guardians=guardian_lists(), acknowledged=st.booleans(), data=st.data())
def test_sol_one_custodian_without_consent_closes_the_gate(guardians, acknowledged, data):
    holdout = GuardianFact(guardian_id=99, name="Kim Saknar", has_custody=True, has_standing_consent=False)
    mixed = data.draw(st.permutations([*guardians, holdout]))
    decision = evaluate_consent(placement_basis="sol", guardians=mixed, district_acknowledged=acknowledged)
    assert not decision.may_share_identity
    assert not decision.may_register_participation
    assert missing_consent("Kim Saknar") in decision.missing


def test_sol_joint_custody_needs_both_consents():
    first = GuardianFact(guardian_id=1, name="Anna", has_custody=True, has_standing_consent=True)
    second = GuardianFact(guardian_id=2, name="Bo", has_custody=True, has_standing_consent=False)
    only_one = evaluate_consent(placement_basis="sol", guardians=[first, second], district_acknowledged=True)
    assert only_one == ConsentDecision(
        may_share_identity=False,
        may_register_participation=False,
        missing=(missing_consent("Bo"),),
        missing_without_names=("Samtycke saknas från 1 av 2 vårdnadshavare.",),
    )
    both = evaluate_consent(
        placement_basis="sol",
        guardians=[first, GuardianFact(2, "Bo", has_custody=True, has_standing_consent=True)],
        district_acknowledged=True,
    )
    assert both == ConsentDecision(may_share_identity=True, may_register_participation=True, missing=())


def test_sol_without_any_guardian_is_refused_even_when_acknowledged():
    decision = evaluate_consent(placement_basis="sol", guardians=[], district_acknowledged=True)
    assert decision == ConsentDecision(False, False, (NO_CUSTODIAN,), (NO_CUSTODIAN,))


def test_sol_with_only_non_custodial_consents_is_refused():
    guardians = [GuardianFact(1, "Utan vårdnad", has_custody=False, has_standing_consent=True)]
    decision = evaluate_consent(placement_basis="sol", guardians=guardians, district_acknowledged=True)
    assert not decision.may_share_identity
    assert decision.missing == (NO_CUSTODIAN,)


# --- LVU ------------------------------------------------------------------------------------


@NO_DEADLINE
@given(guardians=guardian_lists(), acknowledged=st.booleans(), lvu_basis=lvu_bases)
def test_lvu_needs_no_consent_only_the_recorded_legal_basis(guardians, acknowledged, lvu_basis):
    decision = evaluate_consent(
        placement_basis=PlacementBasis.LVU,
        guardians=guardians,
        lvu_legal_basis=lvu_basis,
        district_acknowledged=acknowledged,
    )
    has_basis = bool(lvu_basis.strip())
    assert decision.may_share_identity is has_basis
    assert decision.may_register_participation is (has_basis and acknowledged)
    expected = ([] if has_basis else [NO_LVU_BASIS]) + ([] if acknowledged else [NOT_ACKNOWLEDGED])
    assert list(decision.missing) == expected
    # Guardians' consent is never asked for under LVU.
    assert not any(item.startswith("Samtycke saknas") or item == NO_CUSTODIAN for item in decision.missing)


def test_lvu_without_guardians_and_with_basis_passes():
    decision = evaluate_consent(
        placement_basis="lvu", guardians=[], lvu_legal_basis="3 § LVU", district_acknowledged=True
    )
    assert decision == ConsentDecision(True, True, ())


def test_lvu_default_legal_basis_is_missing():
    decision = evaluate_consent(placement_basis="lvu", guardians=[], district_acknowledged=True)
    assert decision == ConsentDecision(False, False, (NO_LVU_BASIS,), (NO_LVU_BASIS,))


# --- Unknown basis and the acknowledgement --------------------------------------------------


@NO_DEADLINE
@given(
    basis=st.sampled_from(["", "SOL", "Lvu", "annat"]),
    guardians=guardian_lists(),
    acknowledged=st.booleans(),
    lvu_basis=lvu_bases,
)
def test_an_unknown_placement_basis_never_opens_the_gate(basis, guardians, acknowledged, lvu_basis):
    decision = evaluate_consent(
        placement_basis=basis, guardians=guardians, lvu_legal_basis=lvu_basis, district_acknowledged=acknowledged
    )
    assert not decision.may_share_identity
    assert not decision.may_register_participation
    assert decision.missing[0] == NO_BASIS


@NO_DEADLINE
@given(
    basis=st.sampled_from(["sol", "lvu"]), guardians=guardian_lists(), lvu_basis=lvu_bases, acknowledged=st.booleans()
)
def test_acknowledgement_gates_participation_but_not_identity(basis, guardians, lvu_basis, acknowledged):
    arguments = {"placement_basis": basis, "guardians": guardians, "lvu_legal_basis": lvu_basis}
    with_ack = evaluate_consent(**arguments, district_acknowledged=True)
    decision = evaluate_consent(**arguments, district_acknowledged=acknowledged)
    assert decision.may_share_identity is with_ack.may_share_identity
    assert decision.may_register_participation is (with_ack.may_share_identity and acknowledged)
    assert (NOT_ACKNOWLEDGED in decision.missing) is (not acknowledged)
    # Participation is never allowed without identity being shareable.
    assert not decision.may_register_participation or decision.may_share_identity


@NO_DEADLINE
@given(guardians=guardian_lists())
def test_the_gate_is_pure_and_accepts_any_iterable(guardians):
    as_list = evaluate_consent(placement_basis="sol", guardians=guardians, district_acknowledged=True)
    as_generator = evaluate_consent(placement_basis="sol", guardians=iter(guardians), district_acknowledged=True)
    assert as_list == as_generator
    assert isinstance(as_list.missing, tuple)


# --- The facts the gate reads from the database ---------------------------------------------


@pytest.mark.django_db
def test_a_withdrawn_consent_is_not_standing_and_non_custodians_are_ignored():

    referral = make_referral(consents=0)
    first, second = referral.guardians.all()
    common = {"referral": referral, "given_on": timezone.localdate(), "method": "meeting", "information_given": "x"}
    GuardianConsent.objects.create(guardian=first, recorded_by=referral.submitted_by, **common)
    GuardianConsent.objects.create(
        guardian=second, recorded_by=referral.submitted_by, withdrawn_at=timezone.now(), **common
    )
    decision = consent_decision(referral)
    assert not decision.may_share_identity
    assert decision.missing == (missing_consent(second.name),)
    assert decision.missing_without_names == ("Samtycke saknas från 1 av 2 vårdnadshavare.",)

    second.has_custody = False
    second.save()
    # Joint custody still needs two custodians; with sole custody the other one does not count.
    assert not consent_decision(referral).may_share_identity
    referral.custody = "sole"
    referral.save()
    assert consent_decision(referral) == ConsentDecision(True, True, ())

    referral.district_acknowledged_at = None
    referral.save()
    assert consent_decision(referral) == ConsentDecision(True, False, (NOT_ACKNOWLEDGED,), (NOT_ACKNOWLEDGED,))


# --- The custody type decides how many custodians must consent ---------------------------------


def custodian(number: int, *, consented: bool = True) -> GuardianFact:
    return GuardianFact(
        guardian_id=number, name=f"Vårdnadshavare {number}", has_custody=True, has_standing_consent=consented
    )


def test_joint_custody_with_one_custodian_listed_does_not_open_after_that_one_consent():
    decision = evaluate_with_custody(
        placement_basis="sol", custody="joint", guardians=[custodian(1)], district_acknowledged=True
    )
    assert not decision.may_share_identity
    assert not decision.may_register_participation
    assert decision.missing == ("Gemensam vårdnad kräver samtycke från minst 2 vårdnadshavare; 1 är registrerad.",)
    assert decision.missing_without_names == decision.missing  # names no guardian


def test_joint_custody_opens_once_both_custodians_consented():
    both = [custodian(1), custodian(2)]
    decision = evaluate_with_custody(placement_basis="sol", custody="joint", guardians=both, district_acknowledged=True)
    assert decision.may_register_participation
    one_missing = [custodian(1), custodian(2, consented=False)]
    decision = evaluate_with_custody(
        placement_basis="sol", custody="joint", guardians=one_missing, district_acknowledged=True
    )
    assert decision.missing == (missing_consent("Vårdnadshavare 2"),)


@pytest.mark.parametrize("custody", ["sole", "appointed", "board"])
def test_one_consenting_custodian_is_enough_where_the_custody_type_implies_one(custody):
    decision = evaluate_with_custody(
        placement_basis="sol", custody=custody, guardians=[custodian(1)], district_acknowledged=True
    )
    assert decision.may_register_participation


@pytest.mark.parametrize("custody", ["", "unknown"])
def test_sol_without_a_known_custody_type_stays_closed(custody):
    decision = evaluate_with_custody(
        placement_basis="sol", custody=custody, guardians=[custodian(1)], district_acknowledged=True
    )
    assert not decision.may_share_identity


def test_lvu_needs_no_custodian_whatever_the_custody_type():
    decision = evaluate_with_custody(
        placement_basis="lvu", custody="joint", guardians=[], lvu_legal_basis="2 § LVU", district_acknowledged=True
    )
    assert decision.may_register_participation
