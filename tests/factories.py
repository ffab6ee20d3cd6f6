import datetime
import itertools

import factory
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from consent.services import consent_record
from groups import schedule, services
from partnership.models import Agreement, BudgetLine, District, Membership, Organisation, Role, TargetGroup
from partnership.reference_data import seed_reference_data
from referrals.models import InterestRegistration
from referrals.services import (
    ChildDetails,
    GuardianDetails,
    interest_registration_decide,
    interest_registration_record,
    referral_submit,
)

TEST_PASSWORD = "ett-langt-testlosenord"


def _reference_data() -> None:
    # Transactional (browser) tests flush the tables the data migration filled; refill them.
    if not District.objects.exists():
        seed_reference_data(django_apps)


def city() -> Organisation:
    _reference_data()
    return Organisation.objects.get(short_name="Socialförvaltningen")


def bris() -> Organisation:
    _reference_data()
    return Organisation.objects.get(short_name="Bris")


def district(name: str = "Farsta") -> District:
    _reference_data()
    return District.objects.get(name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"anvandare{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.se")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_user(role: Role | None, *, district_name: str = "Farsta", username: str | None = None, **kwargs):
    """A user with the membership their role needs (social workers get a district)."""
    user = UserFactory(**({"username": username} if username else {}), **kwargs)
    if role is not None:
        organisation = bris() if role in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER) else city()
        Membership.objects.create(
            user=user,
            organisation=organisation,
            role=role,
            district=district(district_name) if role == Role.SOCIAL_WORKER else None,
        )
    return user


def confirmed_totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


BUDGET_LINES_KR = [("Personal", 678_833), ("Material", 8_000), ("Mat och dryck", 15_000), ("Resekostnader", 10_000)]


SEED_AGREEMENT_PERIOD = (datetime.date(2017, 1, 1), datetime.date(2018, 12, 31))


def make_agreement(*, starts_on=None, ends_on=None):
    """An IOP like the seed document's, with its four budget lines (IOP 4.1). It is in force from
    the start of last year to the end of next year, so that groups and referrals dated around
    today belong to it (the services refuse a record outside its agreement's period);
    SEED_AGREEMENT_PERIOD is the seed document's own 2017–2018."""

    _reference_data()
    this_year = timezone.localdate().year
    agreement = Agreement.objects.create(
        name="Stödgrupper för barn placerade i familjehem",
        public_party=city(),
        provider=bris(),
        target_group=TargetGroup.objects.get(name="Familjehemsplacerade barn"),
        starts_on=starts_on or datetime.date(this_year - 1, 1, 1),
        ends_on=ends_on or datetime.date(this_year + 1, 12, 31),
    )
    for position, (name, kronor) in enumerate(BUDGET_LINES_KR):
        BudgetLine.objects.create(agreement=agreement, name=name, annual_amount_ore=kronor * 100, position=position)
    return agreement


def shift_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (earlier if negative); 29 February becomes the 28th in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def luhn_check_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 - index % 2)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


# Cycles: a whole run makes more than 900 children, each test far fewer (and rolls them back).
_serials = itertools.cycle(range(100, 999))


def identity_number_for(birth_date, *, serial: int | None = None, coordination: bool = False) -> str:
    """A valid personnummer (or samordningsnummer) for a birth date: YYYYMMDD-NNNC."""
    serial = serial if serial is not None else next(_serials)
    day = birth_date.day + (60 if coordination else 0)
    short = f"{birth_date:%y%m}{day:02d}{serial:03d}"
    return f"{birth_date:%Y%m}{day:02d}-{serial:03d}{luhn_check_digit(short)}"


def make_referral(
    *,
    submitted_by=None,
    district_name: str = "Farsta",
    placement_basis: str = "sol",
    guardians: int = 2,
    consents: int | None = None,
    age: int = 10,
    planned_start=None,
    first_name: str = "Alva",
    last_name: str | None = None,
    agreement=None,
    **fields,
):
    """A referral submitted through the real service. SoL by default with `guardians` custodians;
    `consents` of them consent (all by default), so the referral ends up "ready"."""

    planned_start = planned_start or timezone.localdate() + datetime.timedelta(days=30)
    birth_date = shift_years(planned_start, -age) - datetime.timedelta(days=40)
    agreement = agreement or Agreement.objects.filter(kind="iop").first() or make_agreement()
    submitted_by = submitted_by or make_user(Role.SOCIAL_WORKER, district_name=district_name)
    last_name = last_name or f"Testsson{next(_serials)}"
    referral = referral_submit(
        submitted_by=submitted_by,
        agreement=agreement,
        district=district(district_name),
        child=ChildDetails(
            first_name=first_name,
            last_name=last_name,
            identity_number=identity_number_for(birth_date),
            foster_home_name="Familjen Ek",
            foster_contact_person="Eva Ek",
            foster_phone="070-123 45 67",
        ),
        guardians=[GuardianDetails(name=f"Vårdnadshavare {n + 1} {last_name}") for n in range(guardians)],
        placement_basis=placement_basis,
        lvu_legal_basis="2 § LVU" if placement_basis == "lvu" else "",
        custody="joint" if guardians > 1 else "sole",
        planned_start=planned_start,
        case_officer_name="Hanna Handläggare",
        **fields,
    )
    if placement_basis == "sol":
        for guardian in list(referral.guardians.all())[: guardians if consents is None else consents]:
            consent_record(
                referral=referral,
                guardian=guardian,
                given_on=timezone.localdate(),
                method="meeting",
                information_given="Skriftlig information om stödgruppen och Bris verksamhet.",
                recorded_by=submitted_by,
            )
    referral.refresh_from_db()
    return referral


def make_interest_registration(
    *,
    status: str = "pending",
    registered_on=None,
    decided_on=None,
    referral=None,
    district_name: str = "Farsta",
    agreement=None,
    **details,
):
    """A foster family's intresseanmälan recorded by Bris and, unless pending, decided by the
    district through the real services; then moved back in time to noon (local time) of
    `registered_on` and `decided_on` (both today by default)."""

    details = {
        "child_first_name": "Tindra",
        "child_birth_year": 2015,
        "foster_contact_person": "Gunvor Familjehem",
        "foster_phone": "070-444 55 66",
        "foster_email": "familjehemmet@example.se",
        "message": "Tindra vill träffa andra barn som bor i familjehem.",
        **details,
    }
    registration = interest_registration_record(
        recorded_by=make_user(Role.GROUP_LEADER),
        agreement=agreement or Agreement.objects.filter(kind="iop").first() or make_agreement(),
        district=district(district_name),
        **details,
    )
    if status != InterestRegistration.Status.PENDING:
        registration = interest_registration_decide(
            registration=registration,
            by=make_user(Role.SOCIAL_WORKER, district_name=district_name),
            confirm=status == InterestRegistration.Status.CONFIRMED,
            note="Familjehemmet har redan stöd via Gunvors nätverk.",
            referral=referral,
        )

    def noon(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))

    today = timezone.localdate()
    InterestRegistration.objects.filter(pk=registration.pk).update(
        created_at=noon(registered_on or today),
        decided_at=noon(decided_on or today) if registration.decided_at else None,
    )
    registration.refresh_from_db()
    return registration


# --- groups ----------------------------------------------------------------------------------


def make_group(
    *,
    agreement=None,
    leaders=None,
    name: str = "Måndagsgruppen",
    format: str = "weekly",
    min_age: int = 7,
    max_age: int = 18,
    earliest=None,
    weekday: int = 0,
    start_hour: int = 16,
    premises=None,
    open_for_placement: bool = True,
    manager=None,
):
    """A group planned through the real service (8 weekly meetings, or a support weekend from the
    first Saturday on or after `earliest`), open for placement unless told otherwise."""

    agreement = agreement or Agreement.objects.filter(kind="iop").first() or make_agreement()
    leaders = leaders if leaders is not None else [make_user(Role.GROUP_LEADER)]
    earliest = earliest or timezone.localdate() + datetime.timedelta(days=30)
    if format == "weekly":
        slots = schedule.weekly_schedule(earliest=earliest, weekday=weekday, start_time=datetime.time(start_hour))
    else:
        saturday = earliest + datetime.timedelta(days=(5 - earliest.weekday()) % 7)
        slots = schedule.weekend_schedule(first_saturday=saturday)
    manager = manager or make_user(Role.OPERATIONS_MANAGER)
    group = services.group_create(
        agreement=agreement,
        created_by=manager,
        name=name,
        format=format,
        min_age=min_age,
        max_age=max_age,
        premises=premises,
        leaders=leaders,
        slots=slots,
    )
    if open_for_placement:
        group = services.group_open(group=group, by=manager)
    return group
