"""The consent gate (IOP 2.3), in one place, as a pure function of facts.

SoL (voluntary placement): social services may give Bris the child's name, age and contact details,
and register participation, only with the consent of every guardian who has custody.
LVU (compulsory care): no guardian consent is needed, because social services is responsible for
the child during the placement; the legal basis of the care is recorded instead.
Participation additionally needs the district's acknowledgement that it knows of the registration
(IOP 3.1.2: social services is always informed before participation starts).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from referrals.models import PlacementBasis


@dataclass(frozen=True)
class GuardianFact:
    guardian_id: int
    name: str
    has_custody: bool
    has_standing_consent: bool


@dataclass(frozen=True)
class ConsentDecision:
    may_share_identity: bool
    may_register_participation: bool
    missing: tuple[str, ...] = field(default_factory=tuple)
    # The same, naming no guardian: for Bris before the gate passes (guardians' names identify the child).
    missing_without_names: tuple[str, ...] = field(default_factory=tuple)


def evaluate_consent(
    *,
    placement_basis: str,
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
