"""State changes of group compositions: asking for a suggestion, accepting, rejecting, and the
district's record of children who must not meet. The solving itself, and keeping its outcome, is
the background job's (composition/tasks.py): this module is the web's and never loads the solver.

Accepting plans the group and places the children through groups.services, the same services
and rules as planning and placing by hand (IOP 2.1 ages, the consent gate's statuses, 5–8
children): a child the rules refuse is reported by pseudonym and nothing is saved.
"""

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import schedule
from groups import services as group_services
from groups.models import Premises, SupportGroup
from partnership.jobs import job_request
from partnership.models import Agreement
from referrals.identity_numbers import age_on
from referrals.models import ACTIVE_STATUSES, Referral

from .jobs import SUGGESTION_JOB
from .models import ChildRelation, CompositionRequest, SuggestedGroup


@transaction.atomic
def composition_suggest(
    *, agreement: Agreement, planned_start: datetime.date, max_groups: int, max_age_spread: int, by: User
) -> CompositionRequest:
    """Ask for a suggestion for the provider's waiting list for one arrangement. It is solved in
    the background (composition/tasks.py), which also reads the waiting list then; the suggestion's
    page shows the job until it is done. Asking again with the same conditions while it is being
    solved gets that suggestion."""
    if agreement.provider_id != by.membership.organisation_id:
        raise ValidationError(_("Överenskommelsen hör till en annan utförare."), code="provider")
    if planned_start < timezone.localdate():
        raise ValidationError({"planned_start": _("Den planerade starten har redan passerat.")}, code="past")
    job, created = job_request(
        kind=SUGGESTION_JOB,
        key=f"{SUGGESTION_JOB}:{agreement.pk}:{planned_start.isoformat()}:{max_groups}:{max_age_spread}",
        requested_by=by,
    )
    if not created:
        return CompositionRequest.objects.get(job=job)
    return CompositionRequest.objects.create(
        agreement=agreement,
        target_group=agreement.target_group,
        requested_by=by,
        planned_start=planned_start,
        max_groups=max_groups,
        max_age_spread=max_age_spread,
        job=job,
    )


def _decidable(suggested: SuggestedGroup) -> None:
    if suggested.state != SuggestedGroup.State.PROPOSED:
        raise ValidationError(
            _("Förslaget är redan %(state)s.") % {"state": SuggestedGroup.State(suggested.state).label.lower()},
            code="decided",
        )


@transaction.atomic
def suggested_group_accept(
    *,
    suggested: SuggestedGroup,
    referrals: list[Referral],
    name: str,
    format: str,
    premises: Premises | None,
    leaders: Iterable[User],
    slots: list[schedule.Slot],
    by: User,
) -> SupportGroup:
    """Plan the group, open it and place the chosen children (the suggestion's, as changed by the
    manager), all or nothing. The group's age band is the children's ages on its first meeting."""
    suggested = SuggestedGroup.objects.select_for_update().select_related("request__agreement").get(pk=suggested.pk)
    _decidable(suggested)
    agreement = suggested.request.agreement
    if not agreement.min_group_size <= len(referrals) <= agreement.max_group_size:
        raise ValidationError(
            {
                "children": _("En grupp har %(low)s–%(high)s barn; du har valt %(n)s.")
                % {"low": agreement.min_group_size, "high": agreement.max_group_size, "n": len(referrals)}
            },
            code="size",
        )
    if not slots:
        raise ValidationError({"first_date": _("Gruppen behöver träffar.")}, code="slots")
    first_day = min(slot.starts_at for slot in slots).astimezone(schedule.STOCKHOLM).date()
    referrals = list(Referral.objects.filter(pk__in=[r.pk for r in referrals]).select_related("child"))
    ages = [
        age_on(referral.child.birth_date, first_day) if hasattr(referral, "child") else referral.age_at_planned_start
        for referral in referrals
    ]
    group = group_services.group_create(
        agreement=agreement,
        created_by=by,
        name=name,
        format=format,
        min_age=max(min(ages), agreement.target_group.min_age),
        max_age=min(max(ages), agreement.target_group.max_age),
        premises=premises,
        leaders=leaders,
        slots=slots,
    )
    group = group_services.group_open(group=group, by=by)
    refused = []
    for referral in referrals:
        try:
            with transaction.atomic():
                group_services.group_place_child(group=group, referral=referral, placed_by=by)
        except ValidationError as error:
            refused.append(
                _("%(child)s: %(reason)s") % {"child": referral.pseudonym, "reason": " ".join(error.messages)}
            )
    if refused:
        # Nothing half-saved: raising rolls back the group and every placement made above.
        raise ValidationError({"children": refused}, code="refused")
    suggested.state = SuggestedGroup.State.ACCEPTED
    suggested.group = group
    suggested.decided_by, suggested.decided_at = by, timezone.now()
    suggested.save(update_fields=["state", "group", "decided_by", "decided_at", "updated_at"])
    return group


@transaction.atomic
def suggested_group_reject(*, suggested: SuggestedGroup, by: User) -> SuggestedGroup:
    suggested = SuggestedGroup.objects.select_for_update().get(pk=suggested.pk)
    _decidable(suggested)
    suggested.state = SuggestedGroup.State.REJECTED
    suggested.decided_by, suggested.decided_at = by, timezone.now()
    suggested.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    return suggested


@transaction.atomic
def child_relation_record(*, first: Referral, second: Referral, kind: str, by: User) -> ChildRelation:
    """The district records that two of its children must not meet, or are siblings."""
    if first.pk == second.pk:
        raise ValidationError({"second": _("Välj två olika barn.")}, code="same")
    district_id = by.membership.district_id
    for referral in (first, second):
        if referral.district_id != district_id or referral.status not in ACTIVE_STATUSES:
            raise ValidationError({"second": _("Båda barnen ska ha en aktiv anmälan från din stadsdel.")}, code="scope")
    if kind not in ChildRelation.Kind.values:
        raise ValidationError({"kind": _("Välj vad som gäller.")}, code="kind")
    low, high = sorted((first, second), key=lambda referral: referral.pk)
    try:
        with transaction.atomic():
            return ChildRelation.objects.create(first=low, second=high, kind=kind, recorded_by=by)
    except IntegrityError as error:
        raise ValidationError({"second": _("Det finns redan en uppgift om de här två barnen.")}, code="dup") from error


@transaction.atomic
def child_relation_delete(*, relation: ChildRelation, by: User) -> None:
    relation.delete()
