"""Demo groups in every status, built through the real services. Invented names.

Idempotent: a group that already exists (by name) is left as it is, and a demo child that
already has a referral is not referred again.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from consent.services import consent_record
from partnership.models import Agreement, District
from referrals.demo import demo_birth_date, district_social_worker, identity_number
from referrals.identity_numbers import parse_identity_number
from referrals.models import Referral, ReferralStatus
from referrals.services import ChildDetails, GuardianDetails, referral_submit, referral_transition

from . import schedule, services
from .family_reminders import placement_family_reminders_set
from .models import GroupFormat, GroupStatus, Placement, Premises, SupportGroup, VisitKind

# first name, last name, birth date, serial, district, municipality (other than Stockholm) or ""
DEMO_CHILDREN = {
    "Höstgruppen": [
        ("Oskar", "Lund", datetime.date(2015, 2, 11), "311", "Farsta", ""),
        ("Ebba", "Nyberg", datetime.date(2014, 7, 23), "322", "Bromma", ""),
        ("Hugo", "Falk", datetime.date(2016, 1, 5), "333", "Skärholmen", ""),
        ("Selma", "Ström", datetime.date(2015, 10, 30), "344", "Farsta", ""),
        ("Vincent", "Åberg", datetime.date(2014, 12, 2), "355", "Södermalm", ""),
    ],
    "Måndagsgruppen": [
        ("Astrid", "Björk", datetime.date(2015, 4, 17), "366", "Farsta", ""),
        ("Leo", "Sandberg", datetime.date(2016, 3, 9), "377", "Spånga-Tensta", ""),
        ("Juni", "Wik", datetime.date(2014, 9, 14), "388", "Rinkeby-Kista", ""),
        ("Melvin", "Hed", datetime.date(2015, 6, 21), "399", "Farsta", ""),
        ("Stella", "Ros", datetime.date(2016, 8, 3), "412", "Bromma", ""),
        ("Axel", "Vall", datetime.date(2014, 5, 28), "423", "Norrmalm", "Nacka"),
    ],
    "Torsdagsgruppen": [
        ("Ines", "Grahn", datetime.date(2013, 1, 19), "434", "Farsta", ""),
        ("Malte", "Borg", datetime.date(2012, 11, 8), "445", "Hägersten-Älvsjö", ""),
        ("Tyra", "Ek", datetime.date(2013, 6, 26), "456", "Östermalm", ""),
    ],
    # Ready children left on the waiting list for the planner to place.
    "": [
        ("Nils", "Alm", datetime.date(2012, 4, 12), "467", "Farsta", ""),
        ("Saga", "Lönn", datetime.date(2013, 8, 1), "478", "Enskede-Årsta-Vantör", "Solna"),
    ],
}


def load(agreement: Agreement) -> None:
    User = get_user_model()
    manager = User.objects.get(username="verksamhetsansvarig")
    leader = User.objects.get(username="gruppledare")
    room, _ = Premises.objects.get_or_create(
        name="Bris, gruppummet", defaults={"address": "Hälsingegatan 45, Stockholm"}
    )
    hall, _ = Premises.objects.get_or_create(name="Bris, stora salen", defaults={"address": "Hälsingegatan 45"})
    children = {name: [_ready_child(agreement, row) for row in rows] for name, rows in DEMO_CHILDREN.items()}
    today = timezone.localdate()

    # Closed: all eight meetings held long ago, the children's referrals completed.
    group = _weekly(agreement, manager, leader, "Höstgruppen", today - datetime.timedelta(days=150), 2, 15, room)
    if group:
        _fill_and_start(group, children["Höstgruppen"], manager, leader)
        for meeting in group.meetings.all():
            _attendance(meeting, group, leader)
        services.group_close(group=group, by=leader)

    # Running: three meetings held, attendance recorded.
    group = _weekly(agreement, manager, leader, "Måndagsgruppen", today - datetime.timedelta(days=20), 0, 16, room)
    if group:
        _fill_and_start(group, children["Måndagsgruppen"], manager, leader)
        for meeting in group.meetings.filter(starts_at__lt=timezone.now()):
            _attendance(meeting, group, leader)
        # Two foster families asked for an email the day before each meeting.
        for placement in Placement.objects.filter(group=group).order_by("pk")[:2]:
            placement_family_reminders_set(placement=placement, enabled=True, by=leader)

    # Open for placement: three children placed, one visit planned.
    group = _weekly(agreement, manager, leader, "Torsdagsgruppen", today + datetime.timedelta(days=21), 3, 17, room)
    if group:
        group = services.group_open(group=group, by=manager)
        placements = [_place(group, referral, manager) for referral in children["Torsdagsgruppen"]]
        services.pre_group_visit_record(
            placement=placements[0],
            recorded_by=leader,
            kind=VisitKind.HOME,
            visit_date=today + datetime.timedelta(days=7),
            leader=leader,
        )

    # Planned: a support weekend, not yet open.
    if not SupportGroup.objects.filter(name="Stödhelg 10–15 år").exists():
        saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 + 84)
        services.group_create(
            agreement=agreement,
            created_by=manager,
            name="Stödhelg 10–15 år",
            format=GroupFormat.WEEKEND,
            min_age=10,
            max_age=15,
            premises=hall,
            leaders=[leader],
            slots=schedule.weekend_schedule(first_saturday=saturday),
        )

    # Cancelled: a weekend that got too few registrations.
    if not SupportGroup.objects.filter(name="Stödhelg för tonåringar").exists():
        saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 + 35)
        weekend = services.group_create(
            agreement=agreement,
            created_by=manager,
            name="Stödhelg för tonåringar",
            format=GroupFormat.WEEKEND,
            min_age=13,
            max_age=18,
            premises=hall,
            leaders=[leader],
            slots=schedule.weekend_schedule(first_saturday=saturday),
        )
        services.group_cancel(group=weekend, by=manager, reason="För få anmälda i åldersgruppen.")
    _load_ended_children(agreement)


def _weekly(agreement, manager, leader, name, earliest, weekday, hour, premises) -> SupportGroup | None:
    if SupportGroup.objects.filter(name=name).exists():
        return None  # re-running keeps the existing group
    return services.group_create(
        agreement=agreement,
        created_by=manager,
        name=name,
        format=GroupFormat.WEEKLY,
        min_age=8,
        max_age=14,
        premises=premises,
        leaders=[leader],
        slots=schedule.weekly_schedule(earliest=earliest, weekday=weekday, start_time=datetime.time(hour)),
    )


def _place(group, referral, manager) -> Placement:
    # A child near the band's edge may be a year outside it, depending on the day the demo runs
    # (always inside the target group: referrals/demo.py demo_birth_date).
    return services.group_place_child(group=group, referral=referral, placed_by=manager, age_override_reason="Demodata")


def _fill_and_start(group, referrals, manager, leader) -> None:
    group = services.group_open(group=group, by=manager)
    for index, referral in enumerate(referrals):
        placement = _place(group, referral, manager)
        services.pre_group_visit_record(
            placement=placement,
            recorded_by=leader,
            kind=VisitKind.HOME if index % 2 == 0 else VisitKind.PREMISES,
            visit_date=group.starts_on - datetime.timedelta(days=10),
            leader=leader,
            outcome="Barnet och familjehemmet har fått information och ser fram emot gruppen.",
        )
    services.group_start(group=group, by=manager)


def _attendance(meeting, group, leader) -> None:
    placements = list(Placement.objects.filter(group=group, removed_at__isnull=True).order_by("pk"))
    entries = [
        services.AttendanceEntry(
            placement=placement,
            present=(index + meeting.pk) % 7 != 0,
            absence_reason="" if (index + meeting.pk) % 7 != 0 else "ill",
        )
        for index, placement in enumerate(placements)
    ]
    services.attendance_record(meeting=meeting, entries=entries, by=leader)


def _ready_child(agreement, row) -> Referral:
    first, last, birth_date, serial, district_name, municipality = row
    number = identity_number(demo_birth_date(birth_date), serial)
    existing = Referral.objects.filter(identity_hash=parse_identity_number(number).hash).first()
    if existing:
        return existing
    district = District.objects.get(name=district_name)
    social_worker = district_social_worker(district)
    sol = int(serial) % 2 == 0
    referral = referral_submit(
        submitted_by=social_worker,
        agreement=agreement,
        district=district,
        child=ChildDetails(
            first_name=first,
            last_name=last,
            identity_number=number,
            foster_home_name=f"Familjehemmet {last}",
            foster_contact_person=f"Anna {last}",
            foster_phone="070-000 00 00",
            foster_email=f"familjehem{serial}@example.se",
        ),
        guardians=[GuardianDetails(name=f"Vårdnadshavare {last}")] if sol else [],
        placement_basis="sol" if sol else "lvu",
        lvu_legal_basis="" if sol else "2 § LVU",
        custody="sole",
        planned_start=timezone.localdate() + datetime.timedelta(days=30),
        case_officer_name=social_worker.get_full_name(),
        needs_language="Svenska",
        is_external=bool(municipality),
        external_municipality=municipality,
    )
    if sol:
        consent_record(
            referral=referral,
            guardian=referral.guardians.get(),
            given_on=timezone.localdate(),
            method="meeting",
            information_given="Broschyren om Bris stödgrupper och ett samtal om upplägget.",
            recorded_by=social_worker,
        )
    referral.refresh_from_db()
    return referral


# first name, last name, birth date, serial, days since the group closed
DEMO_ENDED = [
    ("Hugo", "Vik", datetime.date(2013, 5, 17), "272", 45),
    ("Stina", "Alm", datetime.date(2014, 10, 2), "281", 10),
]


def _load_ended_children(agreement: Agreement) -> None:
    """For purging and return: two children whose group has closed, one past the grace period (due
    now) and one inside it."""

    manager = get_user_model().objects.get(username="verksamhetsansvarig")
    district = District.objects.get(name="Farsta")
    social_worker = district_social_worker(district)
    today = timezone.localdate()
    group, _ = SupportGroup.objects.get_or_create(
        agreement=agreement,
        name="Vårgruppen (demo, avslutad)",
        defaults={
            "format": GroupFormat.WEEKLY,
            "status": GroupStatus.CLOSED,
            "min_age": 10,
            "max_age": 13,
            "starts_on": today - datetime.timedelta(days=110),
            "ends_on": today - datetime.timedelta(days=45),
            "closed_at": timezone.now() - datetime.timedelta(days=45),
        },
    )
    for first, last, birth_date, serial, days_ago in DEMO_ENDED:
        number = identity_number(demo_birth_date(birth_date), serial)
        if Referral.objects.filter(identity_hash=parse_identity_number(number).hash).exists():
            continue  # re-running keeps existing data
        referral = referral_submit(
            submitted_by=social_worker,
            agreement=agreement,
            district=district,
            child=ChildDetails(
                first_name=first,
                last_name=last,
                identity_number=number,
                foster_home_name=f"Familjehemmet {last}",
                foster_contact_person=f"Karin {last}",
                foster_phone="070-000 00 00",
            ),
            guardians=[GuardianDetails(name=f"Vårdnadshavare {last}")],
            placement_basis="sol",
            custody="sole",
            planned_start=today - datetime.timedelta(days=110),
            case_officer_name=social_worker.get_full_name(),
            needs_other="Vill gärna gå i samma grupp som en kompis.",
        )
        consent_record(
            referral=referral,
            guardian=referral.guardians.get(),
            given_on=today - datetime.timedelta(days=120),
            method="meeting",
            information_given="Broschyren om Bris stödgrupper och ett samtal om upplägget.",
            recorded_by=social_worker,
        )
        referral_transition(referral=referral, to_status=ReferralStatus.PLACED, by=manager)
        Placement.objects.create(group=group, referral=referral, placed_by=manager)
        referral_transition(referral=referral, to_status=ReferralStatus.COMPLETED, by=manager)
        # The group closed `days_ago` days ago: that is when the data's grace period started.
        Referral.objects.filter(pk=referral.pk).update(ended_at=timezone.now() - datetime.timedelta(days=days_ago))
