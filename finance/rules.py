"""Who may see and do what with the partnership's money.

- The IOP coordinator (the public party) does everything: payments, costs, fees, travel,
  reports, the settlement, closing and reopening a year.
- Bris' operations manager handles the costs, fees, travel and reports of the agreements where
  their organisation is the provider; the advance payments and closing a year are the city's.
- Group leaders and social workers have no finance pages at all.

Permissions asked without an object are the role-level question (menus, lists); with an object
the user's organisation must also be a party to its agreement. The selectors scope lists and
lookups the same way, so an object of another agreement is a 404 before these rules are asked.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rules
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from groups.models import Attendance, GroupStatus, Meeting, Placement, SupportGroup
from partnership.models import Agreement
from partnership.rules import is_coordinator, is_operations_manager
from referrals.models import Referral


def agreement_of(obj: Any) -> Agreement:
    if isinstance(obj, Agreement):
        return obj
    agreement: Agreement = obj.budget_year.agreement if hasattr(obj, "budget_year") else obj.agreement
    return agreement


@rules.predicate
def is_public_party(user: User, obj: Any) -> bool:
    return obj is None or agreement_of(obj).public_party_id == user.membership.organisation_id


@rules.predicate
def is_provider(user: User, obj: Any) -> bool:
    return obj is None or agreement_of(obj).provider_id == user.membership.organisation_id


@rules.predicate
def is_iop(user: User, obj: Any) -> bool:
    """Advances and a settlement belong to an IOP only; an operating grant has an amount and a
    report, a district's own groups no money flow at all."""
    return obj is None or agreement_of(obj).is_iop


city_coordinator = is_coordinator & is_public_party
provider_manager = is_operations_manager & is_provider
finance_staff = city_coordinator | provider_manager

# Reaching any finance page at all (the 403 for group leaders and social workers).
rules.add_perm("finance.access", is_coordinator | is_operations_manager)
rules.add_perm("finance.view_budget_year", finance_staff)
rules.add_perm("finance.record_cost", finance_staff)
rules.add_perm("finance.view_receipt", finance_staff)
rules.add_perm("finance.view_fees", finance_staff)
rules.add_perm("finance.mark_fee_paid", finance_staff)
# A fee that is not owed (wrong municipality, a mistaken placement) is voided by hand too, with
# the reason in the finance log; a paid fee is not (IOP 3.2).
rules.add_perm("finance.void_fee", finance_staff)
rules.add_perm("finance.view_travel", finance_staff)
rules.add_perm("finance.record_travel", finance_staff)
rules.add_perm("finance.view_report", finance_staff)
rules.add_perm("finance.generate_report", finance_staff)
rules.add_perm("finance.view_settlement", finance_staff & is_iop)
# The city pays; only its coordinator records payments and closes or reopens a year (IOP 4.1).
rules.add_perm("finance.manage_payments", city_coordinator)
rules.add_perm("finance.create_advance_plan", city_coordinator & is_iop)
rules.add_perm("finance.close_year", city_coordinator)
rules.add_perm("finance.view_audit_log", city_coordinator)
# The public party sets up its agreements: period, parties, budget lines, targets, fee (IOP 4.1, 4.3).
rules.add_perm("finance.manage_agreements", city_coordinator)


# --- The fee from another municipality (IOP 3.2: "5 000 kr per barn") ------------------------
#
# One fee per child and agreement year, however many places the child has in the year: a child
# removed and placed again, or moved to another group, keeps the fee of the first place. The
# year is the one of the group's first meeting. A child who never starts (the referral ends
# before the child held a place at a meeting that was held) has the fee voided, with the reason
# in the finance log. The database holds the rule too (external_fee_one_per_child_and_year).


def fee_child_key(referral: Referral) -> str:
    """Who a fee is for, across the child's referrals: the keyed identity hash, never the number."""
    return referral.identity_hash or f"referral:{referral.pk}"


def fee_year(group_starts_on: datetime.date) -> int:
    return group_starts_on.year


def child_started_in_year(*, referral: Referral, year: int) -> bool:
    """The child came to a meeting in the year (attendance recorded as present), or had a place at
    a meeting held (confirmed) in the year."""
    if Attendance.objects.filter(placement__referral=referral, present=True, meeting__starts_at__year=year).exists():
        return True
    placements = Placement.objects.filter(referral=referral)
    held = Meeting.objects.filter(held_confirmed_at__isnull=False, starts_at__year=year)
    for placement in placements.select_related("group"):
        groups = [placement.group_id] + ([placement.group.parent_id] if placement.group.parent_id else [])
        meetings = held.filter(group_id__in=groups, starts_at__gte=placement.created_at)
        if placement.removed_at is not None:
            meetings = meetings.filter(starts_at__lt=placement.removed_at)
        if meetings.exists():
            return True
    return False


# --- The termination settlement: what counts as carried out (IOP 4.5, 6) ------------------
#
# A group counts as an intervention carried out only if it started on or before the termination
# date: its first meeting was on or before that date and has been held (a meeting confirmed
# held, or the group started: running or closed). A group that is planned, open for placement
# or cancelled never counts, whatever its dates. finance/settlement.py states the whole rule.


@dataclass(frozen=True)
class CarriedOut:
    counts: bool
    reason: str


def group_carried_out(
    group: SupportGroup, *, held_on: Iterable[datetime.date], termination_date: datetime.date, today: datetime.date
) -> CarriedOut:
    """`held_on`: the local days of the group's meetings confirmed as held."""
    if group.status == GroupStatus.CANCELLED:
        return CarriedOut(False, _("Inställd; genomfördes aldrig."))
    if group.starts_on is None or group.starts_on > termination_date:
        return CarriedOut(False, _("Första träffen ligger efter uppsägningsdagen."))
    held = group.status in (GroupStatus.RUNNING, GroupStatus.CLOSED) and group.starts_on <= today
    held = held or any(day <= termination_date for day in held_on)
    if not held:
        return CarriedOut(
            False,
            _("%(status)s; första träffen har inte hållits.") % {"status": GroupStatus(group.status).label},
        )
    if group.status == GroupStatus.CLOSED:
        return CarriedOut(True, _("Startade %(date)s och är avslutad.") % {"date": group.starts_on})
    return CarriedOut(True, _("Startade %(date)s och pågår; pågående insatser fullföljs.") % {"date": group.starts_on})


# --- Targets (IOP 3.1.2: "minimum fyra grupper per år ... ca 40 barn per år") ---------------
#
# A year falls behind when the year's groups (started, or planned and open ones whose first
# meeting falls later in the year; cancelled ones do not count) or the children placed in them
# fall short of the agreement's targets prorated over the part of the year that has passed. "About 40" children
# is read as at least 90 % of the target. Shown on the coordinator's and the operations
# manager's home pages (followup.selectors / partnership home).

CHILDREN_TARGET_SHARE_PERCENT = 90


@dataclass(frozen=True)
class TargetStatus:
    year: int
    groups: int
    children: int
    expected_groups: int
    expected_children: int

    @property
    def groups_behind(self) -> bool:
        return self.groups < self.expected_groups

    @property
    def children_behind(self) -> bool:
        return self.children < self.expected_children

    @property
    def behind(self) -> bool:
        return self.groups_behind or self.children_behind


def target_status(
    *,
    year: int,
    starts_on: datetime.date,
    on: datetime.date,
    target_groups: int,
    target_children: int,
    groups: int,
    children: int,
) -> TargetStatus:
    """The year's figures against its yearly targets prorated to `on`: the share of the calendar
    year passed since the agreement year started on `starts_on` (1 January, or the agreement's
    first day). Rounded down, so a group is expected once its whole share of the year has passed;
    an agreement covering part of a year expects that part of the targets."""
    year_days = (datetime.date(year, 12, 31) - datetime.date(year, 1, 1)).days + 1
    passed = min(max((on - starts_on).days + 1, 0), year_days)
    expected_groups = target_groups * passed // year_days
    expected_children = target_children * CHILDREN_TARGET_SHARE_PERCENT * passed // (100 * year_days)
    return TargetStatus(
        year=year,
        groups=groups,
        children=children,
        expected_groups=expected_groups,
        expected_children=expected_children,
    )
