"""The public page of groups and its feeds (no login): every provider's published planned, open
and running groups, read into plain rows that hold nothing about any person.

What a row holds is chosen field by field here, never a model handed to a template: the group's
leaders, its children and the referrals stay out by construction, and availability is a word
("platser finns", "få platser", "fullt"), never a count. The rows of a filter and page are cached
for PUBLIC_PAGE_CACHE_SECONDS.
"""

import datetime
import hashlib
import uuid
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from groups.models import Audience, GroupStatus, Placement, SupportGroup
from partnership.models import Agreement, District, TargetGroup

from .models import ParentParticipant, Participant

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import WithAnnotations

PUBLIC_STATUSES = [GroupStatus.PLANNED, GroupStatus.OPEN, GroupStatus.RUNNING]
PAGE_SIZE = 20
# With this many places left or fewer, the page says "få platser".
FEW_PLACES = 2


class Availability:
    AVAILABLE = "available"
    FEW = "few"
    FULL = "full"

    LABELS = {AVAILABLE: _("Platser finns"), FEW: _("Få platser"), FULL: _("Fullt")}


def availability(*, taken: int, capacity: int) -> str:
    left = capacity - taken
    if left <= 0:
        return Availability.FULL
    if left <= FEW_PLACES:
        return Availability.FEW
    return Availability.AVAILABLE


def term_of(day: datetime.date) -> str:
    """ "2026-spring" (January–June) or "2026-autumn" (July–December)."""
    return f"{day.year}-{'spring' if day.month <= 6 else 'autumn'}"


def term_bounds(term: str) -> tuple[datetime.date, datetime.date] | None:
    try:
        year_text, half = term.split("-", 1)
        year = int(year_text)
    except ValueError:
        return None
    if half == "spring":
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    if half == "autumn":
        return datetime.date(year, 7, 1), datetime.date(year, 12, 31)
    return None


def term_label(term: str) -> str:
    bounds = term_bounds(term)
    if bounds is None:
        return term
    return (_("Våren %(year)s") if bounds[0].month == 1 else _("Hösten %(year)s")) % {"year": bounds[0].year}


@dataclass(frozen=True)
class PublicGroup:
    """One group as the public sees it: no person's name, phone, identity, nor a count of anyone."""

    public_id: str
    name: str
    provider: str
    provider_website: str
    provider_email: str
    provider_phone: str
    target_group_code: str
    target_group: str
    audience: str
    audience_label: str
    min_age: int
    max_age: int
    format: str
    format_label: str
    status: str
    status_label: str
    term: str
    term_label: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    district: str
    place: str
    address: str
    availability: str
    availability_label: str
    who_can_register: str
    how_to_join: str
    description: str
    interest_form: bool
    parallel_to: str

    def as_dict(self) -> dict:
        return asdict(self)


def published_groups():
    """Every provider's published top-level groups that are planned, open or running, with the
    number of places taken (children placed, subgroups counted in, or parents registered)."""
    current = Placement.objects.filter(removed_at__isnull=True).order_by()
    in_group = current.filter(group=OuterRef("pk")).values("group").annotate(n=Count("pk")).values("n")
    in_subgroups = (
        current.filter(group__parent=OuterRef("pk")).values("group__parent").annotate(n=Count("pk")).values("n")
    )
    parents = (
        ParentParticipant.objects.filter(group=OuterRef("pk"), purged_at__isnull=True)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    participants = (
        Participant.objects.filter(group=OuterRef("pk"), removed_at__isnull=True, purged_at__isnull=True)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        SupportGroup.objects.filter(is_published=True, parent__isnull=True, status__in=PUBLIC_STATUSES)
        .select_related(
            "agreement__provider", "agreement__target_group", "target_group", "district", "premises", "parallel_to"
        )
        .annotate(
            taken=Coalesce(Subquery(in_group, output_field=IntegerField()), Value(0))
            + Coalesce(Subquery(in_subgroups, output_field=IntegerField()), Value(0))
            + Coalesce(Subquery(parents, output_field=IntegerField()), Value(0))
            + Coalesce(Subquery(participants, output_field=IntegerField()), Value(0))
        )
        .order_by("starts_on", "pk")
    )


def filter_groups(queryset, *, target_group: str = "", age: int | None = None, district: str = "", term: str = ""):
    if target_group:
        queryset = queryset.filter(
            Q(target_group__code=target_group)
            | Q(target_group__isnull=True, agreement__target_group__code=target_group)
        )
    if age is not None:
        queryset = queryset.filter(min_age__lte=age, max_age__gte=age)
    if district:
        # A group open to the whole city (no district) is shown for every district.
        queryset = queryset.filter(Q(district_id=district) | Q(district__isnull=True))
    bounds = term_bounds(term) if term else None
    if bounds:
        queryset = queryset.filter(starts_on__lte=bounds[1]).filter(Q(ends_on__gte=bounds[0]) | Q(ends_on__isnull=True))
    return queryset


def who_can_register(group: SupportGroup) -> str:
    if group.agreement.kind == Agreement.Kind.IOP:
        return str(
            _(
                "Barnets socialsekreterare anmäler barnet. Familjehem och vårdnadshavare kan också anmäla "
                "intresse här, så kontaktar vi socialtjänsten om ni vill det."
            )
        )
    if group.audience == Audience.PARENTS:
        return str(_("Föräldrar anmäler sig själva, eller anmäler intresse här."))
    return str(
        _(
            "Vårdnadshavare, ungdomar från 15 år och yrkesverksamma (skola, vårdcentral, ungdomsmottagning, BUP) "
            "anmäler intresse här. Socialtjänsten behöver inte vara inblandad."
        )
    )


class _Taken(TypedDict):
    taken: int  # annotated by published_groups()


def public_row(group: "WithAnnotations[SupportGroup, _Taken]", *, language: str) -> PublicGroup:
    target = group.target_group or group.agreement.target_group
    provider = group.agreement.provider
    start = group.starts_on
    term = term_of(start) if start else ""
    state = availability(taken=group.taken, capacity=group.agreement.max_group_size)
    return PublicGroup(
        public_id=str(group.public_id),
        name=group.name,
        provider=provider.name,
        provider_website=provider.website,
        provider_email=provider.public_email,
        provider_phone=provider.public_phone,
        target_group_code=target.code,
        target_group=target.display_name(language),
        audience=group.audience,
        audience_label=str(Audience(group.audience).label),
        min_age=group.min_age,
        max_age=group.max_age,
        format=group.format,
        format_label=str(group.get_format_display()),
        status=group.status,
        status_label=str(_("Pågår") if group.status == GroupStatus.RUNNING else _("Planerad")),
        term=term,
        term_label=str(term_label(term)) if term else "",
        starts_on=group.starts_on,
        ends_on=group.ends_on,
        district=group.district.name if group.district else str(_("Hela staden")),
        place=group.premises.name if group.premises else "",
        address=group.premises.address if group.premises else "",
        availability=state,
        availability_label=str(Availability.LABELS[state]),
        who_can_register=who_can_register(group),
        how_to_join=group.how_to_join,
        description=group.public_description,
        interest_form=state != Availability.FULL,
        parallel_to=group.parallel_to.name if group.parallel_to is not None else "",
    )


@dataclass(frozen=True)
class PublicPage:
    rows: list[PublicGroup]
    number: int
    num_pages: int
    count: int

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


VERSION_KEY = "coordination:public:version"


def _cache_key(kind: str, **parts) -> str:
    """A key per kind and parameters, under the current version: clearing bumps the version, so
    every page and feed is read anew without touching anything else in the cache."""
    version = cache.get_or_set(VERSION_KEY, 1, None)
    text = "|".join(f"{key}={parts[key]}" for key in sorted(parts))
    return f"coordination:{kind}:{version}:" + hashlib.sha256(text.encode()).hexdigest()


def public_cache_clear() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def cached(kind: str, build, **parts):
    """What `build()` returns, cached for PUBLIC_PAGE_CACHE_SECONDS under the kind and parameters."""
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    if not seconds:
        return build()
    key = _cache_key(kind, language=get_language() or "sv", **parts)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value


def public_page(*, filters: dict, page: int) -> PublicPage:
    """One page of the public list, cached per filter, page and language."""

    def build():
        language = get_language() or "sv"
        paginator = Paginator(filter_groups(published_groups(), **filters), PAGE_SIZE)
        current = paginator.get_page(page)
        return PublicPage(
            rows=[public_row(group, language=language) for group in current.object_list],
            number=current.number,
            num_pages=paginator.num_pages,
            count=paginator.count,
        )

    return cached("page", build, page=page, **filters)


def public_group(public_id) -> PublicGroup | None:
    """One published group's row, or None (also for an id that is not a UUID)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    language = get_language() or "sv"
    group = published_groups().filter(public_id=public_id).first()
    return public_row(group, language=language) if group else None


def filter_choices(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    terms = [term_of(today)]
    next_half = datetime.date(today.year, 7, 1) if today.month <= 6 else datetime.date(today.year + 1, 1, 1)
    terms.append(term_of(next_half))
    return {
        "target_groups": list(TargetGroup.objects.order_by("name")),
        "districts": list(District.objects.filter(is_active=True).order_by("name")),
        "terms": [(term, term_label(term)) for term in terms],
    }


def filter_query(filters: dict) -> dict[str, str]:
    """The page's query parameters for valid filters (the inverse of PublicFilterForm.filters)."""
    names = {"target_group": "malgrupp", "age": "alder", "district": "stadsdel", "term": "termin"}
    return {names[key]: str(value) for key, value in filters.items() if value not in (None, "")}


def target_group_pk(code: str) -> int | None:
    return TargetGroup.objects.filter(code=code).values_list("pk", flat=True).first()
