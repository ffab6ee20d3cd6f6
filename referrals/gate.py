"""Where the referral lifecycle asks the consent gate (IOP 2.3).

The gate's rule belongs to the consent app (consent/gate.py), which sits above this one: it reads
the guardians' consents, and a consent refers to a referral. The lifecycle here needs the rule's
answer before a child may become ready, go on the waiting list or be placed, so the consent app
installs its rule at start-up (consent/receivers.py). Until a rule is installed nothing passes:
the gate fails closed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import Referral


@dataclass(frozen=True)
class ConsentDecision:
    may_share_identity: bool
    may_register_participation: bool
    missing: tuple[str, ...] = field(default_factory=tuple)
    # The same, naming no guardian: for Bris before the gate passes (guardians' names identify the child).
    missing_without_names: tuple[str, ...] = field(default_factory=tuple)


GateRule = Callable[[Referral], ConsentDecision]

_installed: list[GateRule] = []


def install_gate(rule: GateRule) -> None:
    """The consent app's rule becomes the one the lifecycle asks; installing again replaces it."""
    _installed[:] = [rule]


def gate_decision(referral: Referral) -> ConsentDecision:
    """The gate's answer for this referral (its `missing_without_names` is what Bris may read)."""
    if not _installed:
        not_installed = (_("Samtyckesregeln är inte installerad; ingen anmälan kan passera."),)
        return ConsentDecision(False, False, not_installed, not_installed)
    return _installed[0](referral)
