"""State changes of referrals. Every status change goes through referral_transition."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership import history
from partnership.models import AccessLogEntry, Agreement, District
from partnership.selectors import agreement_in_force_check
from partnership.services import access_log_record

from .gate import gate_decision
from .identity_numbers import age_on, parse_identity_number
from .models import (
    ACTIVE_STATUSES,
    CUSTODIANS_IMPLIED,
    ENDED_STATUSES,
    ChildIdentity,
    Custody,
    Guardian,
    InterestRegistration,
    PlacementBasis,
    Referral,
    ReferralStatus,
    new_pseudonym,
)
from .retention import waiting_list_lapsed_condition
from .rules import interest_registration_undecided
from .signals import referral_gate_closed, referral_withdrawn

S = ReferralStatus

# The lifecycle: which status may follow which. Anything else is refused.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.AWAITING_CONSENT, S.READY, S.WITHDRAWN, S.DECLINED},
    S.AWAITING_CONSENT: {S.READY, S.WITHDRAWN, S.DECLINED},
    # Back to AWAITING_CONSENT: a custodian was added after the gate opened (guardian_add).
    S.READY: {S.WAITING_LIST, S.PLACED, S.WITHDRAWN, S.DECLINED, S.AWAITING_CONSENT},
    S.WAITING_LIST: {S.PLACED, S.WITHDRAWN, S.DECLINED, S.AWAITING_CONSENT},
    S.PLACED: {S.WAITING_LIST, S.COMPLETED, S.WITHDRAWN, S.AWAITING_CONSENT},
    S.COMPLETED: set(),
    S.WITHDRAWN: set(),
    S.DECLINED: set(),
}
# Moving into these needs the consent gate to pass (identity may be shared, district informed).
GATED_STATUSES = {S.READY, S.WAITING_LIST, S.PLACED}
# Ending a referral this way needs a written reason.
REASON_REQUIRED = {S.WITHDRAWN, S.DECLINED}

MIN_AGE_DEFAULT, MAX_AGE_DEFAULT = 7, 18


@transaction.atomic
@history.records_actor("by")
def referral_transition(*, referral: Referral, to_status: str, by: User | None, reason: str = "") -> Referral:
    """Move a referral along its lifecycle, checking the rules; its history records who (`by`,
    None for a rule), when and why."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    from_status = referral.status
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, set()):
        raise ValidationError(
            _("En anmälan kan inte gå från ”%(from)s” till ”%(to)s”.")
            % {"from": S(from_status).label if from_status else "–", "to": S(to_status).label},
            code="illegal_transition",
        )
    if to_status in REASON_REQUIRED and not reason.strip():
        raise ValidationError(_("Ange en orsak."), code="reason_required")
    if to_status in GATED_STATUSES:
        decision = gate_decision(referral)
        if not decision.may_register_participation:
            raise ValidationError(
                _("Anmälan är inte klar: %(missing)s") % {"missing": " ".join(decision.missing_without_names)},
                code="gate",
            )
    now = timezone.now()
    referral.status = to_status
    referral.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    if to_status == S.READY and referral.ready_at is None:
        referral.ready_at = now
        fields.append("ready_at")
    if to_status in ENDED_STATUSES:
        # The hook for purging: data becomes due a grace period after ended_at.
        referral.ended_at = now
        fields.append("ended_at")
    with history.reason(reason):
        referral.save(update_fields=fields)
    if to_status == S.WITHDRAWN:
        # A withdrawn child must not keep a place in a group (groups/receivers.py frees it).
        referral_withdrawn.send(sender=Referral, referral=referral, by=by, reason=reason)
    if to_status == S.AWAITING_CONSENT and from_status in GATED_STATUSES:
        # The gate closed again: no place and no identity for Bris until the consent is there.
        referral_gate_closed.send(sender=Referral, referral=referral, by=by, reason=reason)
    return referral


def referral_advance_if_ready(*, referral: Referral, by: User) -> Referral:
    """After consent or acknowledgement is recorded: move to "ready" once the gate passes."""
    if referral.status in (S.SUBMITTED, S.AWAITING_CONSENT) and gate_decision(referral).may_register_participation:
        return referral_transition(referral=referral, to_status=S.READY, by=by)
    if referral.status == S.SUBMITTED:
        return referral_transition(referral=referral, to_status=S.AWAITING_CONSENT, by=by)
    return referral


@dataclass
class ChildDetails:
    first_name: str
    last_name: str
    identity_number: str
    address: str = ""
    phone: str = ""
    email: str = ""
    foster_home_name: str = ""
    foster_contact_person: str = ""
    foster_phone: str = ""
    foster_email: str = ""
    foster_address: str = ""


@dataclass
class GuardianDetails:
    name: str
    has_custody: bool = True
    phone: str = ""
    email: str = ""


def check_target_group_age(*, age: int, agreement: Agreement, field: str, when: str) -> None:
    """The agreement's target group (IOP 2.1: children 7–18) is a limit, not a default: a child
    outside it is refused with or without a reason. A written reason only ever lets a child
    inside the target group join a group outside its own age band (groups.services)."""
    low, high = agreement.target_group.min_age, agreement.target_group.max_age
    if not low <= age <= high:
        raise ValidationError(
            {
                field: _(
                    "Barnet är %(age)s år %(when)s; överenskommelsen gäller barn %(low)s–%(high)s år. "
                    "Barn utanför målgruppen kan inte anmälas eller placeras."
                )
                % {"age": age, "when": when, "low": low, "high": high}
            },
            code="age_outside_target_group",
        )


def check_age(*, birth_date: datetime.date, planned_start: datetime.date, agreement: Agreement) -> int:
    """The child must be within the target group's ages on the planned start (IOP 2.1)."""
    age = age_on(birth_date, planned_start)
    check_target_group_age(age=age, agreement=agreement, field="planned_start", when=_("vid önskad start"))
    return age


def check_custodians(*, custody: str, custodians: int) -> None:
    """SoL: the guardians listed with custody must be as many as the custody type implies, since
    every one of them must consent (IOP 2.3). Joint custody with one custodian is refused here
    rather than letting the gate open after that one consent."""
    least, most = CUSTODIANS_IMPLIED.get(custody, (1, None))
    if custodians == 0:
        raise ValidationError({"guardians": _("Ange minst en vårdnadshavare med vårdnaden.")}, code="guardian")
    if custodians < least:
        raise ValidationError(
            {
                "guardians": _("%(custody)s: ange alla %(least)s vårdnadshavare som har vårdnaden; alla ska samtycka.")
                % {"custody": Custody(custody).label, "least": least}
            },
            code="custodians_too_few",
        )
    if most is not None and custodians > most:
        raise ValidationError(
            {
                "guardians": _(
                    "%(custody)s: högst %(most)s vårdnadshavare kan ha vårdnaden. "
                    "Kontrollera vårdnadsformen eller kryssrutan ”Har vårdnaden”."
                )
                % {"custody": Custody(custody).label, "most": most}
            },
            code="custodians_too_many",
        )


@transaction.atomic
@history.records_actor("submitted_by")
def referral_submit(
    *,
    submitted_by: User,
    agreement: Agreement,
    district: District,
    child: ChildDetails,
    guardians: list[GuardianDetails],
    placement_basis: str,
    custody: str,
    planned_start: datetime.date,
    case_officer_name: str,
    lvu_legal_basis: str = "",
    case_officer_phone: str = "",
    case_officer_email: str = "",
    needs_language: str = "",
    needs_accessibility: str = "",
    needs_age_group: str = "",
    needs_other: str = "",
    is_external: bool = False,
    external_municipality: str = "",
    source: str = Referral.Source.DISTRICT,
) -> Referral:
    """A district refers a child. The district itself submits, so it is informed by construction."""
    agreement_in_force_check(agreement=agreement, on=timezone.localdate())
    identity = parse_identity_number(child.identity_number)
    age = check_age(
        birth_date=identity.birth_date,
        planned_start=planned_start,
        agreement=agreement,
    )
    if placement_basis == PlacementBasis.SOL:
        check_custodians(custody=custody, custodians=sum(guardian.has_custody for guardian in guardians))
    if placement_basis == PlacementBasis.LVU and not lvu_legal_basis.strip():
        raise ValidationError({"lvu_legal_basis": _("Ange lagrummet för LVU-vården.")}, code="lvu_basis")
    if is_external and not external_municipality.strip():
        raise ValidationError(
            {"external_municipality": _("Ange vilken kommun som ansvarar för barnet.")}, code="municipality"
        )
    if Referral.objects.filter(identity_hash=identity.hash, status__in=ACTIVE_STATUSES).exists():
        raise _duplicate_error()

    now = timezone.now()
    referral = Referral(
        agreement=agreement,
        district=district,
        source=source,
        status=S.SUBMITTED,
        status_changed_at=now,
        placement_basis=placement_basis,
        lvu_legal_basis=lvu_legal_basis.strip() if placement_basis == PlacementBasis.LVU else "",
        custody=custody,
        planned_start=planned_start,
        age_at_planned_start=age,
        needs_language=needs_language,
        needs_accessibility=needs_accessibility,
        needs_age_group=needs_age_group,
        needs_other=needs_other,
        is_external=is_external,
        external_municipality=external_municipality.strip() if is_external else "",
        case_officer_name=case_officer_name,
        case_officer_phone=case_officer_phone,
        case_officer_email=case_officer_email,
        identity_hash=identity.hash,
        submitted_by=submitted_by,
        district_acknowledged_at=now,
        district_acknowledged_by=submitted_by,
    )
    _referral_insert(referral)
    ChildIdentity.objects.create(
        referral=referral,
        first_name=child.first_name.strip(),
        last_name=child.last_name.strip(),
        identity_number=identity.canonical,
        birth_date=identity.birth_date,
        address=child.address,
        phone=child.phone,
        email=child.email,
        foster_home_name=child.foster_home_name,
        foster_contact_person=child.foster_contact_person,
        foster_phone=child.foster_phone,
        foster_email=child.foster_email,
        foster_address=child.foster_address,
    )
    for guardian in guardians:
        Guardian.objects.create(
            referral=referral,
            name=guardian.name.strip(),
            has_custody=guardian.has_custody,
            phone=guardian.phone,
            email=guardian.email,
        )
    access_log_record(
        user=submitted_by,
        referral=referral,
        action=AccessLogEntry.Action.CREATE,
        legal_basis=_("Anmälan från placerande stadsdel"),
        what=_("Ny anmälan"),
    )
    return referral_advance_if_ready(referral=referral, by=submitted_by)


# Six characters of 32 make about a billion pseudonyms: drawn at random, a new referral meets a
# taken one about once in 10 000 at national scale (100 000 referrals). A taken draw is drawn again.
PSEUDONYM_DRAWS = 8


def _referral_insert(referral: Referral) -> None:
    """Insert a new referral under a pseudonym no other referral holds. The unique constraint
    decides (a concurrent submission may take the same draw): a conflict on the pseudonym draws
    again; a conflict on the child (a concurrent submission for the same child won the race) is
    the duplicate the user is told about."""
    for _draw in range(PSEUDONYM_DRAWS):
        referral.pseudonym = new_pseudonym()
        try:
            with transaction.atomic():
                referral.save()
        except IntegrityError as error:
            if Referral.objects.filter(pseudonym=referral.pseudonym).exists():
                continue
            raise _duplicate_error() from error
        return
    raise IntegrityError(f"No free pseudonym in {PSEUDONYM_DRAWS} draws.")


def _duplicate_error() -> ValidationError:
    # Says that an active referral exists, never where or by whom: that would leak another district's case.
    return ValidationError(
        {
            "identity_number": _(
                "Det finns redan en aktiv anmälan för det här barnet. Kontakta Bris verksamhetsansvarig "
                "om du behöver veta mer."
            )
        },
        code="duplicate",
    )


@transaction.atomic
def referral_acknowledge(*, referral: Referral, by: User) -> Referral:
    """The district records that it knows of the registration (IOP 3.1.2)."""
    if referral.district_acknowledged_at is None:
        referral.district_acknowledged_at = timezone.now()
        referral.district_acknowledged_by = by
        referral.save(update_fields=["district_acknowledged_at", "district_acknowledged_by", "updated_at"])
    return referral_advance_if_ready(referral=referral, by=by)


@transaction.atomic
def interest_registration_decide(
    *, registration: InterestRegistration, by: User, confirm: bool, note: str = "", referral: Referral | None = None
) -> InterestRegistration:
    if not interest_registration_undecided(registration):
        raise ValidationError(_("Intresseanmälan är redan behandlad."), code="decided")
    registration.status = InterestRegistration.Status.CONFIRMED if confirm else InterestRegistration.Status.REJECTED
    registration.decided_by = by
    registration.decided_at = timezone.now()
    registration.decision_note = note
    registration.referral = referral
    registration.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "referral", "updated_at"])
    return registration


CHILD_FIELDS = [
    "first_name",
    "last_name",
    "identity_number",
    "address",
    "phone",
    "email",
    "foster_home_name",
    "foster_contact_person",
    "foster_phone",
    "foster_email",
    "foster_address",
]


def submission_arguments(form_data: dict[str, Any], guardian_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Turn the referral form's cleaned data into referral_submit's keyword arguments."""
    data = dict(form_data)
    child = ChildDetails(**{name: data.pop(name) for name in CHILD_FIELDS})
    guardians = [
        GuardianDetails(name=row["name"], has_custody=row["has_custody"], phone=row["phone"], email=row["email"])
        for row in guardian_rows
        if row and row.get("name")
    ]
    return {"child": child, "guardians": guardians, **data}


@transaction.atomic
def interest_registration_record(
    *, recorded_by: User, agreement: Agreement, district: District, **details: Any
) -> InterestRegistration:
    agreement_in_force_check(agreement=agreement, on=timezone.localdate())
    return InterestRegistration.objects.create(
        recorded_by=recorded_by, agreement=agreement, district=district, **details
    )


@transaction.atomic
def interest_registration_confirm(*, registration: InterestRegistration, by: User, **submission: Any) -> Referral:
    """The district confirms: the registration becomes a referral the district itself submits."""
    if registration.status != InterestRegistration.Status.PENDING:
        raise ValidationError(_("Intresseanmälan är redan behandlad."), code="decided")
    referral = referral_submit(
        submitted_by=by,
        agreement=registration.agreement,
        district=registration.district,
        source=Referral.Source.INTEREST,
        **submission,
    )
    interest_registration_decide(registration=registration, by=by, confirm=True, referral=referral)
    return referral


# --- Guardians added or corrected after submission -------------------------------------------


GUARDIAN_FIELDS = ["name", "has_custody", "phone", "email"]


def _check_guardian_editable(referral: Referral) -> None:
    if not referral.is_active or referral.purged_at is not None:
        raise ValidationError(_("Anmälan är avslutad; vårdnadshavarna kan inte ändras."), code="ended")


def _gate_recheck(*, referral: Referral, by: User) -> Referral:
    """After the guardians changed: a referral past the gate whose gate no longer passes goes
    back to awaiting consent (Bris loses sight of the child, a place is freed); one waiting for
    consent goes on once it passes."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status in GATED_STATUSES and not gate_decision(referral).may_register_participation:
        return referral_transition(
            referral=referral,
            to_status=S.AWAITING_CONSENT,
            by=by,
            reason=_("En vårdnadshavare med vårdnaden har tillkommit och samtycke saknas."),
        )
    return referral_advance_if_ready(referral=referral, by=by)


def _guardian_recorded(*, referral: Referral, by: User, what: str) -> None:
    access_log_record(
        user=by,
        referral=referral,
        action=AccessLogEntry.Action.CHANGE,
        legal_basis=_("Egen stadsdels ärende"),
        what=what,
    )
    _gate_recheck(referral=referral, by=by)


def _locked_editable_referral(referral_id: int, name: str) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    _check_guardian_editable(referral)
    if not name.strip():
        raise ValidationError({"name": _("Ange vårdnadshavarens namn.")}, code="name")
    return referral


@transaction.atomic
def guardian_add(
    *, referral: Referral, by: User, name: str, has_custody: bool, phone: str = "", email: str = ""
) -> Guardian:
    """The district adds a guardian after submission (a second custodian found, for instance).
    A custodian who has not consented closes the gate again (SoL, IOP 2.3). Logged."""
    referral = _locked_editable_referral(referral.pk, name)
    guardian = Guardian.objects.create(
        referral=referral, name=name.strip(), has_custody=has_custody, phone=phone.strip(), email=email.strip()
    )
    _guardian_recorded(referral=referral, by=by, what=_("Lade till vårdnadshavare"))
    return guardian


@transaction.atomic
def guardian_change(
    *, guardian: Guardian, by: User, name: str, has_custody: bool, phone: str = "", email: str = ""
) -> Guardian:
    """The district corrects a guardian (name, contacts, custody). A correction that gives a
    guardian custody without a standing consent closes the gate like an added one. Logged."""
    referral = _locked_editable_referral(guardian.referral_id, name)
    guardian.name, guardian.has_custody = name.strip(), has_custody
    guardian.phone, guardian.email = phone.strip(), email.strip()
    guardian.save(update_fields=[*GUARDIAN_FIELDS, "updated_at"])
    _guardian_recorded(referral=referral, by=by, what=_("Ändrade vårdnadshavare"))
    return guardian


# --- The waiting list: the district confirms, or the referral ends (referrals/retention.py) ----


@transaction.atomic
def referral_waiting_list_confirm(*, referral: Referral, by: User) -> Referral:
    """The district confirms that the child on the waiting list still needs a place: the clock of
    the waiting-list rule starts again. Logged."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != S.WAITING_LIST:
        raise ValidationError(_("Barnet står inte på väntelistan."), code="not_waiting")
    referral.waiting_list_confirmed_at = timezone.now()
    referral.waiting_list_confirmed_by = by
    referral.save(update_fields=["waiting_list_confirmed_at", "waiting_list_confirmed_by", "updated_at"])
    access_log_record(
        user=by,
        referral=referral,
        action=AccessLogEntry.Action.CHANGE,
        legal_basis=_("Egen stadsdels ärende"),
        what=_("Bekräftade att barnet fortfarande väntar på plats"),
    )
    return referral


@transaction.atomic
def referrals_waiting_list_lapse(*, on: datetime.date) -> int:
    """End every referral on the waiting list that the district has not confirmed in time; the
    purge clock starts (ended_at). Returns how many ended; a rerun finds nothing more."""
    lapsed = list(
        Referral.objects.filter(waiting_list_lapsed_condition(on)).select_for_update(skip_locked=True).order_by("pk")
    )
    reason = _(
        "Stadsdelen bekräftade inte inom %(days)s dagar att barnet fortfarande behöver en plats "
        "(väntelistans regel, %(review)s + %(days)s dagar)."
    ) % {"days": settings.WAITING_LIST_CONFIRM_DAYS, "review": settings.WAITING_LIST_REVIEW_DAYS}
    for referral in lapsed:
        referral_transition(referral=referral, to_status=S.WITHDRAWN, by=None, reason=reason)
    return len(lapsed)
