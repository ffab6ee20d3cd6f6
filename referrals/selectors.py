"""Reads of referrals, always through the user's scope (district wall, consent gate)."""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from partnership import history
from partnership.access import can
from partnership.models import District, Role

from .gate import ConsentDecision, gate_decision
from .identity_numbers import age_on
from .models import (
    ENDED_STATUSES,
    ChildIdentity,
    Guardian,
    InterestRegistration,
    PlacementBasis,
    Referral,
    ReferralStatus,
    RetentionChoice,
    ReturnDossier,
)
from .retention import (
    INTEREST_DECIDED,
    ended_before,
    interest_registration_due_on,
    interest_registrations_due_condition,
    purge_due_on,
    waiting_list_ends_on,
    waiting_list_review_due_condition,
    waiting_list_review_on,
)
from .rules import IDENTITY_VISIBLE_TO_PROVIDER


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    """Every referral the user may see in some form; empty for anyone else."""
    membership = getattr(user, "membership", None)
    queryset = Referral.objects.select_related("district", "agreement")
    if membership is None:
        return queryset.none()
    if membership.role == Role.SOCIAL_WORKER:
        return queryset.filter(district_id=membership.district_id)
    if membership.role in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER):
        return queryset.filter(agreement__provider_id=membership.organisation_id)
    return queryset.none()


def referrals_with_identity_for(user: User) -> QuerySet[Referral]:
    """Referrals whose child's identity the user may see (for Bris: past the consent gate)."""
    membership = getattr(user, "membership", None)
    queryset = referrals_visible_to(user)
    if membership is not None and membership.role in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER):
        queryset = queryset.filter(status__in=IDENTITY_VISIBLE_TO_PROVIDER, purged_at__isnull=True)
    return queryset.select_related("child")


def referral_filter_districts(user: User) -> QuerySet[District]:
    """The districts the list's filter offers: those with a referral the user may see. One index
    probe per district, not a scan of the referrals."""
    visible = referrals_visible_to(user).filter(district=OuterRef("pk"))
    return District.objects.filter(Exists(visible.values("pk"))).order_by("name")


def get_referral_for(user: User, public_id: uuid.UUID) -> Referral:
    """The referral if the user may see it; 404 otherwise (a 403 would confirm it exists)."""
    try:
        return referrals_visible_to(user).get(public_id=public_id)
    except (Referral.DoesNotExist, ValueError) as error:
        raise Http404 from error


AGE_BANDS = {"7-9": (7, 9), "10-12": (10, 12), "13-15": (13, 15), "16-18": (16, 18)}


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    show_identity: bool
    age: int

    @property
    def name(self) -> str:
        return self.referral.child.full_name if self.show_identity else ""


def referral_age_today(referral: Referral, today: datetime.date | None = None) -> int:
    """Age now from the birth date while it is kept; after purging, the age at the planned start."""
    child = getattr(referral, "child", None) if referral.purged_at is None else None
    if child is None:
        return referral.age_at_planned_start
    return age_on(child.birth_date, today or timezone.localdate())


def referral_search(*, user: User, filters: dict[str, Any]) -> QuerySet[Referral]:
    """The list page's referrals, filtered and searched within the user's scope.

    Name search only ever matches referrals whose identity the user may see, so a search cannot
    reveal that a name exists behind a pseudonymised record.
    """
    # The list never shows the identity number: left in the database, not decrypted 50 times a page.
    queryset = (
        referrals_visible_to(user).select_related("child").defer("child__identity_number").order_by("-created_at")
    )
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("district"):
        queryset = queryset.filter(district=filters["district"])
    if filters.get("placement_basis"):
        queryset = queryset.filter(placement_basis=filters["placement_basis"])
    if filters.get("age_band") in AGE_BANDS:
        low, high = AGE_BANDS[filters["age_band"]]
        today = timezone.localdate()
        born_after = _years_before(today, high + 1)
        born_on_or_before = _years_before(today, low)
        queryset = queryset.filter(
            Q(child__birth_date__gt=born_after, child__birth_date__lte=born_on_or_before)
            | Q(child__isnull=True, age_at_planned_start__range=(low, high))
        )
    if filters.get("q"):
        term = filters["q"].strip()
        name_match = Q(pk__in=referrals_with_identity_for(user).values("pk")) & (
            Q(child__first_name__icontains=term) | Q(child__last_name__icontains=term)
        )
        queryset = queryset.filter(name_match | Q(pseudonym__iexact=term))
    return queryset


def referrals_with_identity_number(*, user: User, identity_hash: str) -> QuerySet[Referral]:
    """The user's own district's referrals of the child with this identity number (by its keyed
    hash, as the number itself is stored encrypted), active ones first. Empty for anyone but a
    social worker: the search never crosses the district wall."""
    membership = getattr(user, "membership", None)
    if membership is None or membership.role != Role.SOCIAL_WORKER:
        return Referral.objects.none()
    return (
        referrals_visible_to(user)
        .filter(identity_hash=identity_hash)
        .select_related("child")
        .order_by("ended_at", "-created_at")
    )


def referral_rows(*, user: User, referrals: Iterable[Referral]) -> list[ReferralRow]:
    """Rows for one page of referrals, with the identity shown only where the rules allow it."""
    today = timezone.localdate()
    return [
        ReferralRow(referral, can(user, "referrals.view_identity", referral), referral_age_today(referral, today))
        for referral in referrals
    ]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a referral's history as this viewer may read it: the status change and when
    always; the reason only where the rules allow (see referrals.read_district_text)."""

    at: datetime.datetime
    status: str | Promise  # a status's label is a lazy string
    by_name: str
    reason: str


@dataclass(frozen=True)
class ReferralDetail:
    referral: Referral
    show_identity: bool
    age: int
    decision: ConsentDecision
    legal_basis: str
    guardians: list[Guardian]
    transitions: list[HistoryEntry]
    concern_reports: list[Any]  # consent's ConcernReport, a layer above
    reads_district_text: bool
    shows_needs: bool
    waiting_review_on: datetime.date | None = None
    waiting_ends_on: datetime.date | None = None


def _written_by_viewers_organisation(user: User, entry: LogEntry) -> bool:
    author = getattr(entry.actor, "membership", None) if entry.actor_id else None
    return author is not None and author.organisation_id == user.membership.organisation_id


def _history_line(entry: LogEntry, *, readable: bool) -> HistoryEntry | None:
    """A status change, or (in full histories) a move on the waiting list; else None."""
    by = entry.actor
    status = history.change_of(entry, "status")
    what: str | Promise
    if status is not None:
        what = ReferralStatus(status[1]).label
    else:
        priority = history.change_of(entry, "waiting_priority")
        if priority is None or priority[0] is None:
            return None
        what = _("Flyttad upp i väntelistan") if priority[1] > priority[0] else _("Flyttad ned i väntelistan")
    return HistoryEntry(
        at=entry.timestamp,
        status=what,
        by_name=(by.get_full_name() or by.get_username()) if by else _("Automatiskt"),
        reason=history.reason_of(entry) if readable else "",
    )


def referral_history(*, user: User, referral: Referral, entries: Iterable[LogEntry]) -> list[HistoryEntry]:
    """The status history lines the user may read, from the referral's history entries. A reason
    is free text: a district's reason (a withdrawal naming the guardian, say) reaches Bris only
    while the gate is open; what the viewer's own organisation wrote they always read."""
    reads_district_text = can(user, "referrals.read_district_text", referral)
    lines = []
    for entry in entries:
        if history.change_of(entry, "status") is None:
            continue
        readable = reads_district_text or _written_by_viewers_organisation(user, entry)
        line = _history_line(entry, readable=readable)
        if line is not None:  # always, for a status change
            lines.append(line)
    return lines


def referral_history_in_full(referral: Referral) -> list[HistoryEntry]:
    """Every status change and waiting-list move with its reason: the return dossier, which goes
    to the district that placed the child (IOP 2.3)."""
    lines = (_history_line(entry, readable=True) for entry in history.entries_for(Referral, [referral.pk]))
    return [line for line in lines if line is not None]


def referral_detail(*, user: User, referral: Referral) -> ReferralDetail:
    """Everything the detail page shows, loaded in a fixed number of queries."""

    referral = (
        Referral.objects.select_related("district", "agreement", "child", "submitted_by")
        .prefetch_related(
            # The guardians' consents (the consent app's) are shown beside them.
            Prefetch("guardians", queryset=Guardian.objects.prefetch_related("consents__recorded_by")),
            "concern_reports",
        )
        .get(pk=referral.pk)
    )
    show_identity = can(user, "referrals.view_identity", referral)
    legal_basis = identity_legal_basis(user, referral)
    return ReferralDetail(
        referral=referral,
        show_identity=show_identity,
        age=referral_age_today(referral),
        decision=gate_decision(referral),
        legal_basis=legal_basis,
        guardians=list(referral.guardians.all()) if show_identity else [],
        transitions=referral_history(
            user=user, referral=referral, entries=history.entries_for(Referral, [referral.pk])
        ),
        concern_reports=list(referral.concern_reports.all()),
        reads_district_text=can(user, "referrals.read_district_text", referral),
        shows_needs=can(user, "referrals.view_needs", referral),
        waiting_review_on=waiting_list_review_on(referral),
        waiting_ends_on=waiting_list_ends_on(referral),
    )


def identity_legal_basis(user: User, referral: Referral) -> str:
    """Why the user may see this child's identity: what the access log records for each read."""
    if user.membership.role == Role.SOCIAL_WORKER:
        return _("Egen stadsdels ärende")
    if referral.placement_basis == PlacementBasis.LVU:
        return _("LVU-placering: socialtjänsten ansvarar, samtycke krävs inte")
    return _("Samtycke från vårdnadshavare (SoL)")


def interest_registrations_visible_to(user: User) -> QuerySet[InterestRegistration]:
    membership = getattr(user, "membership", None)
    queryset = InterestRegistration.objects.select_related("district", "referral")
    if membership is None:
        return queryset.none()
    if membership.role == Role.SOCIAL_WORKER:
        return queryset.filter(district_id=membership.district_id)
    if membership.role in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER):
        return queryset.filter(agreement__provider_id=membership.organisation_id)
    return queryset.none()


def get_interest_registration_for(user: User, public_id: uuid.UUID) -> InterestRegistration:
    try:
        return interest_registrations_visible_to(user).get(public_id=public_id)
    except (InterestRegistration.DoesNotExist, ValueError) as error:
        raise Http404 from error


# --- Data lifecycle (IOP 2.3) -------------------------------------------------------------------


def referrals_awaiting_purge() -> QuerySet[Referral]:

    return Referral.objects.filter(status__in=ENDED_STATUSES, purged_at__isnull=True, ended_at__isnull=False)


def referrals_purge_due(*, on: datetime.date) -> QuerySet[Referral]:
    """What the daily sweep purges: past the grace period, and no return still waiting for the
    district to receive it."""

    waiting_for_return = Q(retention_choice=RetentionChoice.RETURN) & (
        Q(return_dossier__isnull=True) | Q(return_dossier__received_at__isnull=True)
    )
    return referrals_awaiting_purge().filter(ended_at__lt=ended_before(on)).exclude(waiting_for_return)


def referrals_purge_due_within(*, on: datetime.date, days: int) -> QuerySet[Referral]:
    """Due for purging on or before `on + days` (the reminder's notice period)."""
    return referrals_awaiting_purge().filter(ended_at__lt=ended_before(on + datetime.timedelta(days=days)))


@dataclass(frozen=True)
class PurgeDueRow:
    referral: Referral
    due_on: datetime.date
    is_due: bool
    dossier: object  # ReturnDossier or None


@dataclass(frozen=True)
class PurgePreview:
    """What purging one child's data deletes, for the confirmation page: counts, never contents."""

    referral: Referral
    due_on: datetime.date | None
    has_identity: bool
    guardians: int
    consents: int
    consent_documents: int
    concern_reports: int
    transition_reasons: int
    has_dossier_file: bool


def purge_preview(referral: Referral) -> PurgePreview:
    """Counts read through the referral's reverse relations (the consents and concern reports
    are the consent app's), in a fixed number of queries."""
    consents = referral.consents.all()
    dossier = ReturnDossier.objects.filter(referral=referral).exclude(document="").exists()
    return PurgePreview(
        referral=referral,
        due_on=purge_due_on(referral),
        has_identity=ChildIdentity.objects.filter(referral=referral).exists(),
        guardians=Guardian.objects.filter(referral=referral).count(),
        consents=consents.count(),
        consent_documents=consents.exclude(document="").count(),
        concern_reports=referral.concern_reports.exclude(justification="").count(),
        transition_reasons=history.entries_for(Referral, [referral.pk])
        .filter(additional_data__has_key=history.REASON)
        .count(),
        has_dossier_file=dossier,
    )


def purge_due_queryset(*, user: User | None) -> QuerySet[Referral]:
    """The manager's list: every ended referral of their organisation not yet purged, soonest
    first, in the order of the partial index on what awaits purging."""

    membership = getattr(user, "membership", None)
    if membership is None:
        return Referral.objects.none()
    return (
        referrals_awaiting_purge()
        .filter(agreement__provider_id=membership.organisation_id)
        .select_related("district", "return_dossier")
        .order_by("ended_at", "pk")
    )


def purge_due_rows(*, user: User | None = None, referrals: Iterable[Referral] | None = None) -> list[PurgeDueRow]:
    """Rows for one page of that list (all of it when only the user is given). Pseudonyms only:
    the list must not show who the children are."""

    today = timezone.localdate()
    if referrals is None:
        referrals = purge_due_queryset(user=user)
    rows = []
    for referral in referrals:
        due_on = cast(datetime.date, purge_due_on(referral))  # an ended referral has a purge date
        rows.append(PurgeDueRow(referral, due_on, due_on <= today, getattr(referral, "return_dossier", None)))
    return rows


@dataclass(frozen=True)
class WaitingReviewRow:
    referral: Referral
    asked_on: datetime.date
    ends_on: datetime.date


def waiting_list_review_rows(*, user: User, on: datetime.date, limit: int = 50) -> list[WaitingReviewRow]:
    """For the Gallring page: the organisation's children on the waiting list whose district has
    been asked to confirm, soonest to end first. Pseudonyms and districts only."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return []
    referrals = (
        Referral.objects.filter(
            waiting_list_review_due_condition(on), agreement__provider_id=membership.organisation_id
        )
        .select_related("district")
        .order_by(Greatest(Coalesce("waiting_list_confirmed_at", "status_changed_at"), "status_changed_at"), "pk")[
            :limit
        ]
    )
    # Every referral here was asked to confirm, so both dates exist.
    return [
        WaitingReviewRow(
            r, cast(datetime.date, waiting_list_review_on(r)), cast(datetime.date, waiting_list_ends_on(r))
        )
        for r in referrals
    ]


def interest_registrations_purge_due(*, on: datetime.date) -> QuerySet[InterestRegistration]:
    """Interest registrations that never became a referral and are due for purging on `on`
    (the rule is in referrals.purge). What the sweep, the command and the manager's page use."""

    return InterestRegistration.objects.filter(interest_registrations_due_condition(on))


@dataclass(frozen=True)
class InterestPurgeRow:
    district: str
    status: str
    due_on: datetime.date


@dataclass(frozen=True)
class InterestPurgeOverview:
    due_now: int
    upcoming: list[InterestPurgeRow]


def interest_registration_purge_overview(*, user: User, on: datetime.date, limit: int = 5) -> InterestPurgeOverview:
    """For the manager's purge page: how many of the organisation's interest registrations that
    never became referrals are due on `on`, and the next `limit` to fall due after it. District,
    status and date only, in three queries however many there are."""

    membership = getattr(user, "membership", None)
    if membership is None:
        return InterestPurgeOverview(0, [])
    own = InterestRegistration.objects.filter(agreement__provider_id=membership.organisation_id, referral__isnull=True)
    due_now = own.filter(interest_registrations_due_condition(on)).count()
    # Within one status the due date follows the start of its period, so the next `limit` of all
    # are among the next `limit` pending and the next `limit` decided. Names are never loaded.
    not_due = (
        own.exclude(interest_registrations_due_condition(on))
        .select_related("district")
        .only("status", "created_at", "decided_at", "referral_id", "district__name")
    )
    candidates = [
        *not_due.filter(status=InterestRegistration.Status.PENDING).order_by("created_at", "pk")[:limit],
        *not_due.filter(status__in=INTEREST_DECIDED).order_by(Coalesce("decided_at", "created_at"), "pk")[:limit],
    ]
    rows = sorted(
        (
            InterestPurgeRow(registration.district.name, registration.get_status_display(), due_on)
            for registration in candidates
            if (due_on := interest_registration_due_on(registration)) is not None
        ),
        key=lambda row: row.due_on,
    )
    return InterestPurgeOverview(due_now, rows[:limit])


def return_dossiers_visible_to(user: User) -> QuerySet[ReturnDossier]:
    """Dossiers of the referrals the user may see at all; the rules decide who may download."""

    return ReturnDossier.objects.filter(referral__in=referrals_visible_to(user)).select_related(
        "referral", "district", "received_by"
    )


def get_return_dossier_for(user: User, public_id: uuid.UUID) -> ReturnDossier:

    try:
        return return_dossiers_visible_to(user).get(public_id=public_id)
    except (ReturnDossier.DoesNotExist, ValueError) as error:
        raise Http404 from error
