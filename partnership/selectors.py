"""Reads for the partnership app."""

import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Agreement, BudgetLine, Organisation, Role


def _agreements() -> QuerySet[Agreement]:
    return Agreement.objects.select_related("public_party", "provider", "target_group").prefetch_related(
        Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("position"))
    )


def agreement_current(*, on: datetime.date | None = None, organisation: Organisation | None = None) -> Agreement | None:
    """The agreement in force on a date (today by default), or None: never the latest one instead.

    With an organisation, an agreement it is a party to, the IOP first. Without one, the IOP: the
    city's partnership whose referral and consent flow the districts use, so that another
    provider's operating grant or a district's own groups never take its place.
    """
    on = on or timezone.localdate()
    queryset = _agreements().filter(starts_on__lte=on, ends_on__gte=on)
    if organisation is None:
        queryset = queryset.filter(kind=Agreement.Kind.IOP)
    else:
        queryset = queryset.filter(Q(public_party=organisation) | Q(provider=organisation))
    iop_first = Case(When(kind=Agreement.Kind.IOP, then=Value(0)), default=Value(1))
    return queryset.order_by(iop_first, "starts_on", "pk").first()


def agreement_current_for(user: User | AnonymousUser, *, on: datetime.date | None = None) -> Agreement | None:
    """The agreement a user works under: a provider's staff their own provider's, everyone else
    the IOP's (districts refer to it, the coordinator follows it up)."""
    membership = getattr(user, "membership", None)
    if membership is not None and membership.role in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER):
        return agreement_current(on=on, organisation=membership.organisation)
    return agreement_current(on=on)


def agreement_in_force_check(*, agreement: Agreement, on: datetime.date, field: str | None = None) -> None:
    """A dated record (a group, a referral, an interest registration, a cost) belongs to an
    agreement in force on its date (IOP 2, the agreement's period): the services refuse any other
    with a ValidationError on `field`, whatever page or job calls them."""
    if agreement.starts_on <= on <= agreement.ends_on:
        return
    message = _("Datumet ligger utanför överenskommelsens period %(start)s–%(end)s.") % {
        "start": agreement.starts_on,
        "end": agreement.ends_on,
    }
    raise ValidationError({field: message} if field else message, code="no_agreement")


def agreement_in_force_or_refuse(
    *, on: datetime.date, field: str | None = None, organisation: Organisation | None = None
) -> Agreement:
    """The agreement in force on `on`, for a dated record (a group, a referral, a cost) that belongs
    to it; outside every agreement a ValidationError (on `field`) names the periods there are."""
    agreement = agreement_current(on=on, organisation=organisation)
    if agreement is not None:
        return agreement
    periods = ", ".join(f"{a.starts_on:%Y-%m-%d}–{a.ends_on:%Y-%m-%d}" for a in Agreement.objects.order_by("starts_on"))
    message = _("Ingen överenskommelse gäller %(date)s, så det kan inte registreras då.") % {"date": f"{on:%Y-%m-%d}"}
    message = f"{message} " + (
        _("Överenskommelserna gäller %(periods)s.") % {"periods": periods}
        if periods
        else _("Det finns ingen överenskommelse; samordnaren lägger in den under Överenskommelser.")
    )
    raise ValidationError({field: message} if field else message, code="no_agreement")


def agreement_to_view(agreements: QuerySet[Agreement], chosen: str | None = None) -> Agreement | None:
    """Which of `agreements` (a queryset the user may see) a page shows: the one chosen (its
    public id), else the one in force today, else the one that started most recently. Pages that
    use it offer every agreement to choose from, so no year of any agreement is out of reach."""
    if chosen:
        try:
            found = agreements.filter(public_id=chosen).first()
        except (ValueError, ValidationError):
            found = None
        if found is not None:
            return found
    today = timezone.localdate()
    return (
        agreements.filter(starts_on__lte=today, ends_on__gte=today).order_by("starts_on").first()
        or agreements.filter(starts_on__lte=today).order_by("-starts_on").first()
        or agreements.order_by("starts_on").first()
    )
