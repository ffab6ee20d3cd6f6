"""The consent gate (IOP 2.3), in one place, as a pure function of facts.

SoL (voluntary placement): social services may give Bris the child's name, age and contact details,
and register participation, only with the consent of every guardian who has custody, and only when
as many custodians are registered as the custody type implies (joint custody: at least two).
LVU (compulsory care): no guardian consent is needed, because social services is responsible for
the child during the placement; the legal basis of the care is recorded instead.
Participation additionally needs the district's acknowledgement that it knows of the registration
(IOP 3.1.2: social services is always informed before participation starts).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from referrals.gate import ConsentDecision
from referrals.models import CUSTODIANS_IMPLIED, Custody, PlacementBasis, Referral


@dataclass(frozen=True)
class GuardianFact:
    guardian_id: int
    name: str
    has_custody: bool
    has_standing_consent: bool


def evaluate_consent(
    *,
    placement_basis: str,
    custody: str,
    guardians: Iterable[GuardianFact],
    lvu_legal_basis: str = "",
    district_acknowledged: bool,
) -> ConsentDecision:
    """May Bris receive identity and contact data? May participation be registered? What is missing?"""
    guardians = list(guardians)
    missing: list[str] = []
    without_names: list[str] = []

    def lacks(message: str, *, named: str | None = None) -> None:
        missing.append(named or message)
        if message not in without_names:
            without_names.append(message)

    if placement_basis == PlacementBasis.LVU:
        if not lvu_legal_basis.strip():
            lacks(_("Lagrum för LVU-vården är inte angivet."))
    elif placement_basis == PlacementBasis.SOL:
        custodians = [guardian for guardian in guardians if guardian.has_custody]
        if not custodians:
            lacks(_("Ingen vårdnadshavare med vårdnaden är registrerad."))
        elif custody not in CUSTODIANS_IMPLIED:
            lacks(_("Vårdnadsformen är inte angiven."))
        elif len(custodians) < CUSTODIANS_IMPLIED[custody][0]:
            # A referral that declares joint custody but lists one guardian must not open after
            # that one consent: the other custodian's consent is missing until they are added.
            lacks(
                _("%(custody)s kräver samtycke från minst %(least)s vårdnadshavare; %(listed)s är registrerad.")
                % {
                    "custody": Custody(custody).label,
                    "least": CUSTODIANS_IMPLIED[custody][0],
                    "listed": len(custodians),
                }
            )
        lacking = [guardian for guardian in custodians if not guardian.has_standing_consent]
        for guardian in lacking:
            lacks(
                _("Samtycke saknas från %(missing)s av %(all)s vårdnadshavare.")
                % {"missing": len(lacking), "all": len(custodians)},
                named=_("Samtycke saknas från %(name)s.") % {"name": guardian.name},
            )
    else:
        lacks(_("Placeringsgrund (SoL eller LVU) är inte angiven."))
    may_share_identity = not missing
    if not district_acknowledged:
        lacks(_("Stadsdelen har inte bekräftat att den känner till anmälan."))
    return ConsentDecision(
        may_share_identity=may_share_identity,
        may_register_participation=may_share_identity and district_acknowledged,
        missing=tuple(missing),
        missing_without_names=tuple(without_names),
    )


def referral_consent_decision(referral: Referral) -> ConsentDecision:
    """The gate's answer for one referral, from its guardians and their standing consents.
    Installed as the referral lifecycle's gate (referrals/gate.py) by consent/receivers.py."""
    guardians = [
        GuardianFact(
            guardian_id=guardian.pk,
            name=guardian.name,
            has_custody=guardian.has_custody,
            has_standing_consent=any(consent.withdrawn_at is None for consent in guardian.consents.all()),
        )
        for guardian in referral.guardians.all()
    ]
    return evaluate_consent(
        placement_basis=referral.placement_basis,
        custody=referral.custody,
        guardians=guardians,
        lvu_legal_basis=referral.lvu_legal_basis,
        district_acknowledged=referral.district_acknowledged_at is not None,
    )
