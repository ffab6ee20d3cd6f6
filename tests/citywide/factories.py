"""Anonymous city-wide data, written straight to the tables: the dashboard reads only counts and
dates, so the tests set exactly the dates they need instead of going through every service."""

import datetime
import itertools

from django.utils import timezone

from groups.models import GroupStatus, Placement, SupportGroup
from partnership.models import Agreement, Role, TargetGroup
from referrals.models import Referral, ReferralStatus
from tests.coordination.factories import make_arrangement, make_provider
from tests.factories import district, make_agreement, make_user

_names = itertools.count(1)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def iop() -> Agreement:
    return Agreement.objects.filter(kind="iop").first() or make_agreement(
        starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2030, 12, 31)
    )


def arrangement(target_code: str) -> Agreement:
    """A provider's arrangement for a target group (Källan for mental illness, and so on)."""
    if target_code == "foster_care":
        return iop()
    existing = Agreement.objects.filter(target_group__code=target_code).first()
    if existing:
        return existing
    provider = make_provider(name=f"Verksamhet för {target_code}", short_name=target_code[:40])
    return make_arrangement(provider, target_code=target_code)


def referrals(
    count: int,
    *,
    district_name: str = "Farsta",
    target_code: str = "foster_care",
    created: datetime.date,
    status: str = ReferralStatus.WAITING_LIST,
    ready: datetime.date | None = None,
    age: int = 10,
) -> list[Referral]:
    agreement = arrangement(target_code)
    submitter = make_user(Role.SOCIAL_WORKER, district_name=district_name)
    made = []
    for _ in range(count):
        referral = Referral.objects.create(
            agreement=agreement,
            district=district(district_name),
            status=status,
            status_changed_at=at(created),
            placement_basis="lvu",
            lvu_legal_basis="2 § LVU",
            custody="board",
            planned_start=created + datetime.timedelta(days=60),
            age_at_planned_start=age,
            case_officer_name="Hanna Handläggare",
            submitted_by=submitter,
            ready_at=at(ready) if ready else None,
        )
        made.append(referral)
    Referral.objects.filter(pk__in=[r.pk for r in made]).update(created_at=at(created))
    return made


def group(
    *,
    target_code: str = "foster_care",
    district_name: str | None = "Farsta",
    starts_on: datetime.date,
    weeks: int = 8,
    status: str = GroupStatus.RUNNING,
    audience: str = "children",
) -> SupportGroup:
    agreement = arrangement(target_code)
    return SupportGroup.objects.create(
        agreement=agreement,
        name=f"Grupp {next(_names)}",
        format="weekly",
        status=status,
        min_age=7,
        max_age=18,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(weeks=weeks),
        district=district(district_name) if district_name else None,
        target_group=TargetGroup.objects.get(code=target_code),
        audience=audience,
    )


def place(group_: SupportGroup, referrals_: list[Referral], *, on: datetime.date) -> None:
    by = make_user(Role.OPERATIONS_MANAGER)
    placements = [Placement.objects.create(group=group_, referral=referral, placed_by=by) for referral in referrals_]
    Placement.objects.filter(pk__in=[p.pk for p in placements]).update(created_at=at(on))
    Referral.objects.filter(pk__in=[r.pk for r in referrals_]).update(status=ReferralStatus.PLACED)
