"""National-scale data for `make bench` (and, at a smaller scale, the query-plan test).

What a municipality accumulates over years, across many districts: referrals at every stage of
their life (most long ended and purged, the anonymous record kept), groups with their meetings,
placements and attendance, evaluations, interest registrations, money, and a large access log.
Written with COPY (bench/copy.py), identity numbers encrypted for real with the configured
Fernet key and the keyed hash the duplicate check uses. Deterministic: the same scale gives the
same data. No real person: names are drawn from short lists and identity numbers are valid
test-range numbers built from the row number.
"""

import datetime
import random
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from citywide import demand
from consent.models import ConcernReport, GuardianConsent, LogReview
from finance.models import AdvancePayment, Cost, ExternalFee, FinanceAuditEntry, TravelCost
from finance.services import budget_years_create
from followup.models import (
    DistrictContact,
    EvaluationAnswer,
    EvaluationAnswerSet,
    EvaluationInstrument,
    EvaluationMoment,
    InformationMeeting,
)
from groups.models import (
    Attendance,
    GroupFormat,
    GroupStatus,
    Meeting,
    Placement,
    PreGroupVisit,
    Premises,
    SupportGroup,
)
from partnership.encryption import _fernet, keyed_hash
from partnership.models import (
    AccessLogEntry,
    Agreement,
    BudgetLine,
    District,
    Membership,
    Organisation,
    Reminder,
    Role,
    TargetGroup,
)
from referrals.models import (
    PSEUDONYM_ALPHABET,
    ChildIdentity,
    Guardian,
    InterestRegistration,
    PurgeRecord,
    PurgeRule,
    Referral,
    ReferralStatus,
    RetentionChoice,
    ReturnDossier,
)

from .copy import IndexesDeferred, copy_rows, next_id, sequences_reset

User = get_user_model()

BENCH_PASSWORD = "bench-only-password-not-secret"  # noqa: S105 - the bench database's own logins
BENCH_USERS = {
    Role.GROUP_LEADER: "bench-gruppledare",
    Role.OPERATIONS_MANAGER: "bench-verksamhetsansvarig",
    Role.SOCIAL_WORKER: "bench-socialsekreterare",
    Role.COORDINATOR: "bench-samordnare",
}
BENCH_DISTRICT = "Farsta"

# Other municipalities and their districts: the same software serves every municipality.
OTHER_MUNICIPALITIES = {
    "Göteborgs stad": ["Angered", "Askim-Frölunda-Högsbo", "Centrum", "Lundby", "Majorna-Linné", "Norra Hisingen"],
    "Malmö stad": ["Innerstaden", "Norr", "Söder", "Väster", "Öster"],
    "Uppsala kommun": ["Centrala Uppsala", "Gottsunda", "Gränby", "Storvreta"],
    "Linköpings kommun": ["Berga", "Ekholmen", "Lambohov", "Skäggetorp"],
    "Örebro kommun": ["Baronbackarna", "Brickebacken", "Varberga", "Vivalla"],
    "Västerås stad": ["Bäckby", "Pettersberg", "Råby", "Skiftinge"],
    "Helsingborgs stad": ["Drottninghög", "Dalhem", "Fredriksdal", "Planteringen"],
    "Norrköpings kommun": ["Hageby", "Navestad", "Ringdansen", "Skarphagen"],
    "Jönköpings kommun": ["Norrahammar", "Råslätt", "Öxnehaga"],
    "Umeå kommun": ["Ålidhem", "Holmsund", "Teg"],
}

FIRST_NAMES = ["Alva", "Elsa", "Maja", "Wilma", "Saga", "Ella", "Noah", "Hugo", "Liam", "Elias", "Adam", "Ali"]
LAST_NAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Ahmed"]


@dataclass(frozen=True)
class Scale:
    """How much to make. The default is the national scale of the Scale issue."""

    referrals: int = 100_000
    access_log: int = 1_000_000
    leaders: int = 60
    social_workers_per_district: int = 4
    interest_registrations: int = 10_000
    answer_sets: int = 20_000
    costs_per_year: int = 600
    travel_costs: int = 15_000
    reminders_per_bench_user: int = 400

    @classmethod
    def fraction(cls, part: float) -> "Scale":
        base = cls()
        return cls(
            referrals=int(base.referrals * part),
            access_log=int(base.access_log * part),
            leaders=max(4, int(base.leaders * part)),
            social_workers_per_district=2,
            interest_registrations=int(base.interest_registrations * part),
            answer_sets=int(base.answer_sets * part),
            costs_per_year=max(20, int(base.costs_per_year * part)),
            travel_costs=int(base.travel_costs * part),
            reminders_per_bench_user=max(20, int(base.reminders_per_bench_user * part)),
        )


@dataclass
class SeedSummary:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count


def pseudonym_for(number: int) -> str:
    """A unique pseudonym per row number, spread over the alphabet so they do not look sequential."""
    base = len(PSEUDONYM_ALPHABET)
    value = (number * 387_420_489 + 12_345) % base**6  # a multiplier coprime with 31**6
    letters = []
    for _ in range(6):
        value, digit = divmod(value, base)
        letters.append(PSEUDONYM_ALPHABET[digit])
    return "B-" + "".join(letters)


def identity_number_for(birth_date: datetime.date, number: int) -> str:
    """A valid personnummer (Luhn check digit) for the birth date, from the row number."""
    serial = f"{number % 1000:03d}"
    digits = f"{birth_date:%y%m%d}{serial}"
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    check = (10 - total % 10) % 10
    return f"{birth_date:%Y%m%d}-{serial}{check}"


class _Ids:
    """Hands out primary keys for a model, starting after what the table already holds."""

    def __init__(self, model):
        self.next = next_id(model)

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _history_row(
    ids: _Ids, *, referral_id: int, pseudonym: str, changes: dict, by_id: int, at, reason: str = ""
) -> dict:
    """One entry of a referral's change history (partnership/history.py), as auditlog's LogEntry."""
    return {
        "id": ids.take(),
        "content_type_id": ContentType.objects.get_for_model(Referral).pk,
        "object_pk": str(referral_id),
        "object_id": referral_id,
        "object_repr": pseudonym,
        "action": LogEntry.Action.CREATE if changes.get("status", [""])[0] is None else LogEntry.Action.UPDATE,
        "changes": changes,
        "changes_text": "",
        "actor_id": by_id,
        "timestamp": at,
        "additional_data": {"reason": reason} if reason else None,
    }


STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=STOCKHOLM)


@transaction.atomic
def seed(*, scale: Scale | None = None, today: datetime.date | None = None) -> SeedSummary:
    """Write the data set into the current (migrated, otherwise empty) PostgreSQL database."""
    scale = scale or Scale()
    today = today or timezone.localdate()
    rng = random.Random(20261201)  # noqa: S311 - test data, not secrets
    summary = SeedSummary()
    now = timezone.now()
    fernet = _fernet()
    with connection.cursor() as cursor:
        # A bulk load of rows built consistent: the foreign-key triggers (deferred to the commit,
        # one lookup per row) would take longer than the load itself. Local to this transaction.
        cursor.execute("SET LOCAL session_replication_role = replica")

    # --- Organisations, districts, the agreement, people ----------------------------------------
    city = Organisation.objects.get(short_name="Socialförvaltningen")
    bris = Organisation.objects.get(short_name="Bris")
    districts = list(District.objects.filter(municipality=city))
    for municipality, names in OTHER_MUNICIPALITIES.items():
        organisation, _created = Organisation.objects.get_or_create(
            name=municipality, defaults={"short_name": municipality, "kind": Organisation.Kind.PUBLIC}
        )
        districts += [District.objects.get_or_create(municipality=organisation, name=name)[0] for name in names]
    bench_district = next(district for district in districts if district.name == BENCH_DISTRICT)
    first_year = today.year - 7
    agreement = Agreement.objects.create(
        name="Stödgrupper för barn placerade i familjehem (nationell skala)",
        public_party=city,
        provider=bris,
        target_group=TargetGroup.objects.get(name="Familjehemsplacerade barn"),
        starts_on=datetime.date(first_year, 1, 1),
        ends_on=datetime.date(today.year + 1, 12, 31),
        target_groups_per_year=1_500,
        target_children_per_year=9_000,
    )
    lines = [("Personal", 678_833), ("Material", 8_000), ("Mat och dryck", 15_000), ("Resekostnader", 10_000)]
    budget_lines = [
        BudgetLine.objects.create(agreement=agreement, name=name, annual_amount_ore=kronor * 100, position=position)
        for position, (name, kronor) in enumerate(lines)
    ]

    password = make_password(BENCH_PASSWORD)
    user_ids = _Ids(User)
    membership_ids = _Ids(Membership)
    users: list[dict] = []
    memberships: list[dict] = []

    def person(username, role, organisation, district=None):
        user_id = user_ids.take()
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        users.append(
            {
                "id": user_id,
                "password": password,
                "username": username,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.se",
                "is_superuser": False,
                "is_staff": False,
                "is_active": True,
                "date_joined": now,
            }
        )
        memberships.append(
            {
                "id": membership_ids.take(),
                "user_id": user_id,
                "organisation_id": organisation.pk,
                "role": role,
                "district_id": district.pk if district else None,
            }
        )
        return user_id

    bench_ids = {
        Role.GROUP_LEADER: person(BENCH_USERS[Role.GROUP_LEADER], Role.GROUP_LEADER, bris),
        Role.OPERATIONS_MANAGER: person(BENCH_USERS[Role.OPERATIONS_MANAGER], Role.OPERATIONS_MANAGER, bris),
        Role.SOCIAL_WORKER: person(BENCH_USERS[Role.SOCIAL_WORKER], Role.SOCIAL_WORKER, city, bench_district),
        Role.COORDINATOR: person(BENCH_USERS[Role.COORDINATOR], Role.COORDINATOR, city),
    }
    leader_ids = [bench_ids[Role.GROUP_LEADER]] + [
        person(f"ledare-{n:03d}", Role.GROUP_LEADER, bris) for n in range(scale.leaders - 1)
    ]
    manager_ids = [bench_ids[Role.OPERATIONS_MANAGER]] + [
        person(f"chef-{n}", Role.OPERATIONS_MANAGER, bris) for n in range(3)
    ]
    workers_by_district = {
        district.pk: [
            person(f"socsek-{district.pk}-{n}", Role.SOCIAL_WORKER, district.municipality, district)
            for n in range(scale.social_workers_per_district)
        ]
        for district in districts
    }
    workers_by_district[bench_district.pk].insert(0, bench_ids[Role.SOCIAL_WORKER])
    summary.add("users", copy_rows(User, users, now=now))
    copy_rows(Membership, memberships, now=now)
    for user_id in bench_ids.values():  # the bench signs in with a one-time code like everyone
        TOTPDevice.objects.create(user_id=user_id, name="bench", confirmed=True)

    premises = [Premises.objects.create(name=f"Bris lokal {n}", address=f"Gatan {n}, Stockholm") for n in range(1, 11)]

    # --- Referrals at every stage of their life -------------------------------------------------
    # Oldest first: most have ended long ago and are purged (the anonymous record stays), a few
    # thousand ended lately and wait for the purge, then the children placed now, the waiting
    # list, and the newest referrals still waiting for consent.
    total = scale.referrals
    bounds = {
        "purged": int(total * 0.74),
        "ended": int(total * 0.80),
        "placed": int(total * 0.83),
        "waiting": int(total * 0.926),
    }
    start = datetime.date(first_year, 1, 15)
    span_days = (today - start).days - 1
    district_weights = [5 if district.municipality_id == city.pk else 2 for district in districts]
    referral_ids = _Ids(Referral)
    referrals: list[dict] = []
    for number in range(total):
        created_on = start + datetime.timedelta(days=int(span_days * number / total))
        district = rng.choices(districts, district_weights)[0]
        age = rng.randint(7, 18)
        basis = "sol" if rng.random() < 0.7 else "lvu"
        if number < bounds["ended"]:
            roll = rng.random()
            status = (
                ReferralStatus.COMPLETED
                if roll < 0.9
                else ReferralStatus.WITHDRAWN
                if roll < 0.95
                else ReferralStatus.DECLINED
            )
        elif number < bounds["placed"]:
            status = ReferralStatus.PLACED
        elif number < bounds["waiting"]:
            status = ReferralStatus.WAITING_LIST if rng.random() < 0.8 else ReferralStatus.READY
        else:
            status = (
                ReferralStatus.AWAITING_CONSENT if basis == "sol" and rng.random() < 0.7 else ReferralStatus.SUBMITTED
            )
        created_at = _aware(created_on, rng.randint(8, 16))
        if number < bounds["purged"]:
            ended_at = created_at + datetime.timedelta(days=rng.randint(120, 260))
        elif number < bounds["ended"]:
            ended_at = _aware(today - datetime.timedelta(days=rng.randint(1, 90)))
        else:
            ended_at = None
        purged_at = ended_at + datetime.timedelta(days=31) if number < bounds["purged"] else None
        ready_at = (
            created_at + datetime.timedelta(days=rng.randint(3, 30))
            if status not in (ReferralStatus.SUBMITTED, ReferralStatus.AWAITING_CONSENT, ReferralStatus.DECLINED)
            else None
        )
        referrals.append(
            {
                "id": referral_ids.take(),
                "pseudonym": pseudonym_for(number),
                "agreement_id": agreement.pk,
                "district_id": district.pk,
                "source": Referral.Source.DISTRICT,
                "status": status,
                "status_changed_at": ended_at or ready_at or created_at,
                "placement_basis": basis,
                "lvu_legal_basis": "3 § LVU" if basis == "lvu" else "",
                "custody": "joint",
                "planned_start": created_on + datetime.timedelta(days=60),
                "age_at_planned_start": age,
                "is_external": rng.random() < 0.01,
                "case_officer_name": "" if purged_at else "Handläggare",
                "submitted_by_id": rng.choice(workers_by_district[district.pk]),
                "district_acknowledged_at": ready_at,
                "ready_at": ready_at,
                "ended_at": ended_at,
                "purged_at": purged_at,
                "retention_choice": RetentionChoice.PURGE if purged_at else "",
                "created_at": created_at,
                "updated_at": purged_at or ended_at or created_at,
                # Only for bookkeeping below; not a column.
                "_birth_date": created_on - datetime.timedelta(days=int(age * 365.25) + rng.randint(0, 300)),
            }
        )
    for row in referrals:
        if row["is_external"]:
            row["external_municipality"] = "Nacka kommun"
        if not row["purged_at"] and row["status"] in (ReferralStatus.SUBMITTED, ReferralStatus.AWAITING_CONSENT):
            row["needs_other"] = "Behöver tolk till familjehemmet."
    identity_numbers: dict[int, str] = {}
    taken: set[str] = set()
    for row in referrals:
        if row["purged_at"]:
            continue
        serial = row["id"]
        while (number := identity_number_for(row["_birth_date"], serial)) in taken:
            serial += 1
        taken.add(number)
        identity_numbers[row["id"]] = number
    for row in referrals:
        if row["id"] in identity_numbers and row["status"] not in (
            ReferralStatus.WITHDRAWN,
            ReferralStatus.DECLINED,
            ReferralStatus.COMPLETED,
        ):
            row["identity_hash"] = keyed_hash(identity_numbers[row["id"]].replace("-", ""))
    birth_dates = {row["id"]: row.pop("_birth_date") for row in referrals}
    summary.add("referrals", copy_rows(Referral, referrals, now=now))

    kept = [row for row in referrals if not row["purged_at"]]
    identity_ids = _Ids(ChildIdentity)
    summary.add(
        "child_identities",
        copy_rows(
            ChildIdentity,
            (
                {
                    "id": identity_ids.take(),
                    "referral_id": row["id"],
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    # Encrypted for real, as the field would (partnership/encryption.py).
                    "identity_number": fernet.encrypt(identity_numbers[row["id"]].encode()).decode(),
                    "birth_date": birth_dates[row["id"]],
                    "foster_home_name": "Familjehemmet",
                    "foster_contact_person": "Kontaktperson",
                    "foster_phone": "070-000 00 00",
                    "foster_email": f"familj{row['id']}@example.se",
                }
                for row in kept
            ),
            now=now,
        ),
    )
    guardian_ids = _Ids(Guardian)
    guardians: list[dict] = []
    for row in kept:
        for n in range(1 if row["id"] % 3 else 2):
            guardians.append({"id": guardian_ids.take(), "referral_id": row["id"], "name": f"Vårdnadshavare {n + 1}"})
    summary.add("guardians", copy_rows(Guardian, guardians, now=now))
    passed = {row["id"] for row in kept if row["ready_at"] and row["placement_basis"] == "sol"}
    consent_ids = _Ids(GuardianConsent)
    referral_by_id = {row["id"]: row for row in referrals}
    summary.add(
        "consents",
        copy_rows(
            GuardianConsent,
            (
                {
                    "id": consent_ids.take(),
                    "referral_id": guardian["referral_id"],
                    "guardian_id": guardian["id"],
                    "given_on": timezone.localdate(referral_by_id[guardian["referral_id"]]["created_at"]),
                    "method": GuardianConsent.Method.MEETING,
                    "information_given": "Broschyr och samtal om hela verksamheten.",
                    "recorded_by_id": referral_by_id[guardian["referral_id"]]["submitted_by_id"],
                }
                for guardian in guardians
                if guardian["referral_id"] in passed
            ),
            now=now,
        ),
    )
    history_ids = _Ids(LogEntry)

    def transitions() -> Iterator[dict]:
        for row in referrals:
            referral = {"ids": history_ids, "referral_id": row["id"], "pseudonym": row["pseudonym"]}
            yield _history_row(
                **referral,
                changes={"status": [None, ReferralStatus.SUBMITTED]},
                by_id=row["submitted_by_id"],
                at=row["created_at"],
            )
            if row["ready_at"]:
                yield _history_row(
                    **referral,
                    changes={"status": [ReferralStatus.SUBMITTED, ReferralStatus.READY]},
                    by_id=row["submitted_by_id"],
                    at=row["ready_at"],
                )
            if row["ended_at"]:
                yield _history_row(
                    **referral,
                    changes={"status": [ReferralStatus.PLACED, row["status"]]},
                    by_id=manager_ids[0],
                    at=row["ended_at"],
                    reason="" if row["purged_at"] else "Gruppen avslutad.",
                )

    with IndexesDeferred(LogEntry):
        summary.add("referral_transitions", copy_rows(LogEntry, transitions(), now=now))
    purge_record_ids = _Ids(PurgeRecord)
    summary.add(
        "purge_records",
        copy_rows(
            PurgeRecord,
            (
                {
                    "id": purge_record_ids.take(),
                    "referral_id": row["id"],
                    "pseudonym": row["pseudonym"],
                    "rule": PurgeRule.GRACE_PERIOD,
                    "grace_days": 30,
                    "purged_at": row["purged_at"],
                    "returned": False,
                    "counts": {"child_identity": 1, "guardians": 1},
                    "pending_files": [],
                    "files_deleted_at": row["purged_at"],
                    "created_at": row["purged_at"],
                }
                for row in referrals
                if row["purged_at"]
            ),
            now=now,
        ),
    )

    # --- Groups, meetings, placements, visits, attendance ----------------------------------------
    # Children who were placed (completed ones, and those placed now) fill groups of 5–8 in the
    # order they were referred; each group starts some weeks after its last child was referred.
    placed_rows = [
        row for row in referrals if row["status"] == ReferralStatus.COMPLETED or row["status"] == ReferralStatus.PLACED
    ]
    group_ids = _Ids(SupportGroup)
    meeting_ids = _Ids(Meeting)
    placement_ids = _Ids(Placement)
    groups: list[dict] = []
    leaders: list[tuple[int, int]] = []
    meetings: list[dict] = []
    placements: list[dict] = []
    group_of_placement: dict[int, dict] = {}
    meetings_of_group: dict[int, list[dict]] = {}
    index = 0
    while index < len(placed_rows):
        size = rng.randint(5, 8)
        members = placed_rows[index : index + size]
        index += size
        current = members[0]["status"] == ReferralStatus.PLACED
        weekly = rng.random() < 0.7
        last_created = max(timezone.localdate(member["created_at"]) for member in members)
        if current:
            status = rng.choice([GroupStatus.RUNNING, GroupStatus.OPEN, GroupStatus.PLANNED])
            starts_on = today + datetime.timedelta(days=rng.randint(-40, 60))
            if status == GroupStatus.RUNNING:
                starts_on = min(starts_on, today - datetime.timedelta(days=7))
            else:
                starts_on = max(starts_on, today + datetime.timedelta(days=3))
        else:
            status = GroupStatus.CLOSED
            starts_on = last_created + datetime.timedelta(days=rng.randint(20, 60))
        slots = (
            [starts_on + datetime.timedelta(weeks=week) for week in range(8)]
            if weekly
            else [starts_on, starts_on + datetime.timedelta(days=1), starts_on + datetime.timedelta(weeks=6)]
        )
        ages = [member["age_at_planned_start"] for member in members]
        group = {
            "id": group_ids.take(),
            "agreement_id": agreement.pk,
            "name": f"{'Veckogrupp' if weekly else 'Stödhelg'} {starts_on:%Y-%m-%d} nr {len(groups) + 1}",
            "format": GroupFormat.WEEKLY if weekly else GroupFormat.WEEKEND,
            "status": status,
            "min_age": min(ages),
            "max_age": max(ages),
            "premises_id": rng.choice(premises).pk,
            "starts_on": slots[0],
            "ends_on": slots[-1],
            "closed_at": _aware(slots[-1], 20) if status == GroupStatus.CLOSED else None,
            "created_at": _aware(slots[0] - datetime.timedelta(days=45)),
        }
        groups.append(group)
        pair = rng.sample(leader_ids, 2)
        leaders += [(group["id"], leader) for leader in pair]
        group_meetings = []
        for number, day in enumerate(slots):
            starts_at = _aware(day, 17 if weekly else 10)
            group_meetings.append(
                {
                    "id": meeting_ids.take(),
                    "group_id": group["id"],
                    "starts_at": starts_at,
                    "ends_at": starts_at + datetime.timedelta(hours=2 if weekly else 7),
                    "is_follow_up": not weekly and number == 2,
                    "held_confirmed_at": starts_at + datetime.timedelta(hours=3) if day < today else None,
                }
            )
        meetings += group_meetings
        meetings_of_group[group["id"]] = group_meetings
        for member in members:
            placement = {
                "id": placement_ids.take(),
                "group_id": group["id"],
                "referral_id": member["id"],
                "placed_by_id": manager_ids[0],
                "created_at": group["created_at"] + datetime.timedelta(days=rng.randint(0, 20)),
            }
            placements.append(placement)
            group_of_placement[placement["id"]] = group
    # Groups planned or cancelled with no children yet.
    for number in range(max(1, len(groups) // 60)):
        starts_on = today + datetime.timedelta(days=rng.randint(10, 120))
        groups.append(
            {
                "id": group_ids.take(),
                "agreement_id": agreement.pk,
                "name": f"Planerad grupp nr {number + 1}",
                "format": GroupFormat.WEEKLY,
                "status": GroupStatus.CANCELLED if number % 3 == 0 else GroupStatus.PLANNED,
                "min_age": 7,
                "max_age": 12,
                "premises_id": rng.choice(premises).pk,
                "starts_on": starts_on,
                "ends_on": starts_on + datetime.timedelta(weeks=7),
                "created_at": now,
            }
        )
    summary.add("groups", copy_rows(SupportGroup, groups, now=now))
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy("COPY groups_supportgroup_leaders (supportgroup_id, user_id) FROM STDIN") as copy,
    ):
        for row in leaders:
            copy.write_row(row)
    summary.add("meetings", copy_rows(Meeting, meetings, now=now))
    summary.add("placements", copy_rows(Placement, placements, now=now))
    visit_ids = _Ids(PreGroupVisit)
    summary.add(
        "pre_group_visits",
        copy_rows(
            PreGroupVisit,
            (
                {
                    "id": visit_ids.take(),
                    "placement_id": placement["id"],
                    "kind": "home",
                    "visit_date": group_of_placement[placement["id"]]["starts_on"] - datetime.timedelta(days=10),
                    "leader_id": leader_ids[placement["id"] % len(leader_ids)],
                    "outcome": "Besöket genomfört."
                    if group_of_placement[placement["id"]]["status"] != GroupStatus.CLOSED
                    else "",
                    "recorded_by_id": leader_ids[0],
                }
                for placement in placements
            ),
            now=now,
        ),
    )
    attendance_ids = _Ids(Attendance)

    def attendances() -> Iterator[dict]:
        for placement in placements:
            group = group_of_placement[placement["id"]]
            for meeting in meetings_of_group[group["id"]]:
                if meeting["held_confirmed_at"] is None or rng.random() < 0.1:
                    continue
                present = rng.random() < 0.88
                yield {
                    "id": attendance_ids.take(),
                    "meeting_id": meeting["id"],
                    "placement_id": placement["id"],
                    "present": present,
                    "absence_reason": "" if present else "ill",
                    "recorded_by_id": leader_ids[0],
                }

    with IndexesDeferred(Attendance):
        summary.add("attendance", copy_rows(Attendance, attendances(), now=now))
    history_ids = _Ids(LogEntry)
    waiting = [row for row in referrals if row["status"] in (ReferralStatus.WAITING_LIST, ReferralStatus.READY)]
    # A move up the waiting list is a change of the referral's waiting_priority, with its reason.
    summary.add(
        "waiting_list_adjustments",
        copy_rows(
            LogEntry,
            (
                _history_row(
                    history_ids,
                    referral_id=row["id"],
                    pseudonym=row["pseudonym"],
                    changes={"waiting_priority": [0, 1]},
                    by_id=manager_ids[0],
                    at=now,
                    reason="Syskon i samma grupp.",
                )
                for row in waiting[:: max(1, len(waiting) // 300)]
            ),
            now=now,
        ),
    )

    # --- Interest registrations, concern reports, dossiers ---------------------------------------
    registration_ids = _Ids(InterestRegistration)
    statuses = [InterestRegistration.Status.PENDING, InterestRegistration.Status.REJECTED]
    summary.add(
        "interest_registrations",
        copy_rows(
            InterestRegistration,
            (
                {
                    "id": registration_ids.take(),
                    "agreement_id": agreement.pk,
                    "district_id": rng.choices(districts, district_weights)[0].pk,
                    "status": statuses[number % 2],
                    "child_first_name": rng.choice(FIRST_NAMES),
                    "child_birth_year": today.year - rng.randint(7, 18),
                    "foster_contact_person": "Kontaktperson",
                    "foster_phone": "070-000 00 00",
                    "recorded_by_id": manager_ids[0],
                    "decided_at": None if number % 2 == 0 else now - datetime.timedelta(days=rng.randint(0, 20)),
                    "decided_by_id": None if number % 2 == 0 else bench_ids[Role.SOCIAL_WORKER],
                    "created_at": now - datetime.timedelta(days=rng.randint(0, 150)),
                }
                for number in range(scale.interest_registrations)
            ),
            now=now,
        ),
    )
    concern_ids = _Ids(ConcernReport)
    summary.add(
        "concern_reports",
        copy_rows(
            ConcernReport,
            (
                {
                    "id": concern_ids.take(),
                    "referral_id": row["id"],
                    "reported_by_id": leader_ids[0],
                    "justification": "" if row["purged_at"] else "Barnet berättade om oro hemma.",
                    "legal_reference": agreement.duty_to_report_reference,
                    "created_at": row["created_at"] + datetime.timedelta(days=40),
                }
                for row in referrals[::50]
            ),
            now=now,
        ),
    )
    dossier_ids = _Ids(ReturnDossier)
    summary.add(
        "return_dossiers",
        copy_rows(
            ReturnDossier,
            (
                {
                    "id": dossier_ids.take(),
                    "referral_id": row["id"],
                    "district_id": row["district_id"],
                    "document": "",
                    "created_by_id": manager_ids[0],
                    "received_at": row["purged_at"],
                    "received_by_id": row["submitted_by_id"],
                    "created_at": row["ended_at"] + datetime.timedelta(days=5),
                }
                for row in referrals[: bounds["purged"] : 25]
            ),
            now=now,
        ),
    )

    # --- Evaluations ---------------------------------------------------------------------------------
    instruments = list(EvaluationInstrument.objects.filter(is_active=True).prefetch_related("questions"))
    closed = [placement for placement in placements if group_of_placement[placement["id"]]["status"] == "closed"]
    answer_set_ids = _Ids(EvaluationAnswerSet)
    answer_ids = _Ids(EvaluationAnswer)
    answer_sets: list[dict] = []
    answers: list[dict] = []
    if instruments and closed:
        child_instrument = next((i for i in instruments if i.audience == "child"), instruments[0])
        questions = [q for q in child_instrument.questions.all() if q.kind != "free_text"]
        step = max(1, (len(closed) * 2) // max(1, scale.answer_sets))
        for placement in closed[::step]:
            group = group_of_placement[placement["id"]]
            referral = referral_by_id[placement["referral_id"]]
            key = uuid.uuid4()
            for moment in (EvaluationMoment.BEFORE, EvaluationMoment.AFTER):
                answer_set = {
                    "id": answer_set_ids.take(),
                    "instrument_id": child_instrument.pk,
                    "moment": moment,
                    "group_id": group["id"],
                    "referral_id": None if referral["purged_at"] else referral["id"],
                    "respondent_key": key,
                    "group_format": group["format"],
                    "age_band": "7-12" if referral["age_at_planned_start"] <= 12 else "13-18",
                    "district_id": referral["district_id"],
                    "channel": "entered",
                    "answered_on": group["starts_on"] if moment == "before" else group["ends_on"],
                }
                answer_sets.append(answer_set)
                for question in questions:
                    answers.append(
                        {
                            "id": answer_ids.take(),
                            "answer_set_id": answer_set["id"],
                            "question_id": question.pk,
                            "value": rng.randint(question.scale_min, question.scale_max),
                        }
                    )
    summary.add("evaluation_answer_sets", copy_rows(EvaluationAnswerSet, answer_sets, now=now))
    summary.add("evaluation_answers", copy_rows(EvaluationAnswer, answers, now=now))

    # --- Money ---------------------------------------------------------------------------------------
    coordinator = User.objects.get(pk=bench_ids[Role.COORDINATOR])
    years = budget_years_create(agreement=agreement, by=coordinator)
    for budget_year in years:
        if budget_year.year < today.year:
            AdvancePayment.objects.filter(budget_year=budget_year).update(paid_on=budget_year.starts_on, reference="OK")
    cost_ids = _Ids(Cost)
    summary.add(
        "costs",
        copy_rows(
            Cost,
            (
                {
                    "id": cost_ids.take(),
                    "budget_year_id": budget_year.pk,
                    "budget_line_id": budget_lines[number % len(budget_lines)].pk,
                    "spent_on": budget_year.starts_on + datetime.timedelta(days=number % 360),
                    "amount_ore": rng.randint(10_000, 500_000),
                    "description": f"Kostnad {number + 1}",
                    "recorded_by_id": manager_ids[0],
                }
                for budget_year in years
                if budget_year.year <= today.year
                for number in range(scale.costs_per_year)
            ),
            now=now,
        ),
    )
    travel_ids = _Ids(TravelCost)
    summary.add(
        "travel_costs",
        copy_rows(
            TravelCost,
            (
                {
                    "id": travel_ids.take(),
                    "agreement_id": agreement.pk,
                    "district_id": row["district_id"],
                    "referral_id": row["id"],
                    "child_pseudonym": row["pseudonym"],
                    "kind": "travel",
                    "incurred_on": timezone.localdate(row["created_at"]) + datetime.timedelta(days=70),
                    "amount_ore": rng.randint(5_000, 80_000),
                    "recorded_by_id": manager_ids[0],
                    "created_at": row["created_at"] + datetime.timedelta(days=70),
                }
                for row in placed_rows[:: max(1, len(placed_rows) // max(1, scale.travel_costs))]
            ),
            now=now,
        ),
    )
    fee_ids = _Ids(ExternalFee)
    summary.add(
        "external_fees",
        copy_rows(
            ExternalFee,
            (
                {
                    "id": fee_ids.take(),
                    "agreement_id": agreement.pk,
                    "placement_id": placement["id"],
                    "referral_id": placement["referral_id"],
                    # One fee per child and year (IOP 3.2): the bench's placements are one per child.
                    "child_key": f"referral:{placement['referral_id']}",
                    "year": timezone.localdate(placement["created_at"]).year,
                    "municipality": "Nacka kommun",
                    "child_initials": "A. B.",
                    "child_age": referral_by_id[placement["referral_id"]]["age_at_planned_start"],
                    "group_name": group_of_placement[placement["id"]]["name"],
                    "amount_ore": 500_000,
                    "invoiced_on": timezone.localdate(placement["created_at"]),
                    "paid_on": timezone.localdate(placement["created_at"]) + datetime.timedelta(days=30),
                    "recorded_by_id": manager_ids[0],
                }
                for placement in placements
                if referral_by_id[placement["referral_id"]]["is_external"]
            ),
            now=now,
        ),
    )
    audit_ids = _Ids(FinanceAuditEntry)
    summary.add(
        "finance_audit_entries",
        copy_rows(
            FinanceAuditEntry,
            (
                {
                    "id": audit_ids.take(),
                    "at": now - datetime.timedelta(hours=number),
                    "by_id": manager_ids[0],
                    "agreement_id": agreement.pk,
                    "action": FinanceAuditEntry.Action.COST_RECORDED,
                    "subject": f"Kostnad {number + 1}",
                    "amount_ore": 10_000,
                }
                for number in range(max(100, scale.referrals // 50))
            ),
            now=now,
        ),
    )

    # --- Follow-up: contacts and breakfast meetings ------------------------------------------------
    contact_ids = _Ids(DistrictContact)
    summary.add(
        "district_contacts",
        copy_rows(
            DistrictContact,
            (
                {
                    "id": contact_ids.take(),
                    "district_id": district.pk,
                    "name": f"Kontakt {district.pk}-{n}",
                    "role": "Enhetschef",
                    "email": f"kontakt-{district.pk}-{n}@example.se",
                    "is_active": True,
                }
                for district in districts
                for n in range(8)
            ),
            now=now,
        ),
    )
    for year in range(first_year, today.year + 1):
        for month in (2, 5, 10):
            InformationMeeting.objects.create(
                agreement=agreement,
                starts_at=_aware(datetime.date(year, month, 15), 8),
                location="Bris, Stockholm",
                created_by=coordinator,
            )

    # --- Reminders of the bench's own users --------------------------------------------------------
    referral_type = _content_type_id(Referral)
    reminder_ids = _Ids(Reminder)
    summary.add(
        "reminders",
        copy_rows(
            Reminder,
            (
                {
                    "id": reminder_ids.take(),
                    "public_id": uuid.uuid4(),
                    "recipient_id": user_id,
                    "kind": "purge_due",
                    "subject_type_id": referral_type,
                    "subject_id": referrals[number]["id"],
                    "summary": f"{referrals[number]['pseudonym']} gallras snart",
                    "due_on": today + datetime.timedelta(days=number % 30),
                    "done_at": now if number % 2 else None,
                }
                for user_id in bench_ids.values()
                for number in range(scale.reminders_per_bench_user)
            ),
            now=now,
        ),
    )

    # --- The access log: years of views, exports and changes, and failed logins -------------------
    staff = leader_ids + manager_ids + [bench_ids[Role.SOCIAL_WORKER]]
    usernames = {row["id"]: row["username"] for row in users}
    span_seconds = int((now - _aware(start)).total_seconds())
    actions = ["view"] * 8 + ["export", "change"]
    entry_ids = _Ids(AccessLogEntry)
    all_users = list(usernames)
    first_entry = _aware(start)

    def entries() -> Iterator[dict]:
        for number in range(scale.access_log):
            user_id = staff[number % len(staff)] if number % 5 else all_users[number % len(all_users)]
            referral = referrals[min(len(referrals) - 1, int(number * len(referrals) / scale.access_log))]
            yield {
                "id": entry_ids.take(),
                "occurred_at": first_entry + datetime.timedelta(seconds=int(span_seconds * number / scale.access_log)),
                "user_id": user_id,
                "username": usernames[user_id],
                "child_pseudonym": referral["pseudonym"],
                "action": actions[number % len(actions)],
                "legal_basis": "Samtycke från vårdnadshavare (SoL)",
                "what": "Anmälningslista",
            }

    with IndexesDeferred(AccessLogEntry):
        summary.add("access_log", copy_rows(AccessLogEntry, entries(), now=now))
    LogReview.objects.create(
        reviewer=coordinator,
        period_start=today - datetime.timedelta(days=30),
        period_end=today,
        filter_description="Alla",
    ).sample.set(AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True)[:20])

    sequences_reset(
        User,
        Membership,
        Referral,
        ChildIdentity,
        Guardian,
        GuardianConsent,
        LogEntry,
        PurgeRecord,
        SupportGroup,
        Meeting,
        Placement,
        PreGroupVisit,
        Attendance,
        InterestRegistration,
        ConcernReport,
        ReturnDossier,
        EvaluationAnswerSet,
        EvaluationAnswer,
        Cost,
        TravelCost,
        ExternalFee,
        FinanceAuditEntry,
        DistrictContact,
        Reminder,
        AccessLogEntry,
    )
    # Years of use: the coordinator has opened the city-wide dashboard before, so the closed
    # terms' demand is counted and kept (citywide.models.ReceivedInTerm), as it would be.
    demand.demand_dashboard(term=demand.current_term())
    return summary


def _content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def analyze(*, vacuum: bool = True) -> None:
    """Fresh planner statistics and visibility maps, as autovacuum would leave them after a bulk
    load. VACUUM cannot run inside a transaction (the tests'), ANALYZE can."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


@transaction.atomic
def seed_purge_backlog(*, children: int, today: datetime.date | None = None) -> list[int]:
    """`children` referrals ended two months ago and due for purging, each with everything a child
    leaves behind: identity (encrypted number), guardians, consents (some with a scan's file
    name), transition reasons, a concern report, a place in a closed group with a visit and
    attendance notes. What the purge backlog of the bench works through. Returns their ids."""
    today = today or timezone.localdate()
    rng = random.Random(50_000)  # noqa: S311 - test data
    now = timezone.now()
    fernet = _fernet()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    agreement = Agreement.objects.order_by("-pk").first()
    district = District.objects.get(name=BENCH_DISTRICT)
    worker = User.objects.get(username=BENCH_USERS[Role.SOCIAL_WORKER])
    leader = User.objects.get(username=BENCH_USERS[Role.GROUP_LEADER])
    ended_at = _aware(today - datetime.timedelta(days=60))
    created_at = ended_at - datetime.timedelta(days=200)
    referral_ids = _Ids(Referral)
    first_number = referral_ids.next
    rows = [
        {
            "id": referral_ids.take(),
            "pseudonym": pseudonym_for(10_000_000 + number),
            "agreement_id": agreement.pk,
            "district_id": district.pk,
            "status": ReferralStatus.COMPLETED,
            "status_changed_at": ended_at,
            "placement_basis": "sol",
            "custody": "joint",
            "planned_start": timezone.localdate(created_at) + datetime.timedelta(days=60),
            "age_at_planned_start": 7 + number % 12,
            "case_officer_name": "Handläggare",
            "needs_other": "Vill sitta nära dörren.",
            "submitted_by_id": worker.pk,
            "ready_at": created_at,
            "ended_at": ended_at,
            "created_at": created_at,
        }
        for number in range(children)
    ]
    copy_rows(Referral, rows, now=now)
    ids = [row["id"] for row in rows]
    identity_ids = _Ids(ChildIdentity)
    copy_rows(
        ChildIdentity,
        (
            {
                "id": identity_ids.take(),
                "referral_id": referral_id,
                "first_name": rng.choice(FIRST_NAMES),
                "last_name": rng.choice(LAST_NAMES),
                "identity_number": fernet.encrypt(
                    identity_number_for(
                        datetime.date(2012, 1, 1) + datetime.timedelta(days=referral_id % 3000), referral_id
                    ).encode()
                ).decode(),
                "birth_date": datetime.date(2012, 1, 1) + datetime.timedelta(days=referral_id % 3000),
                "foster_home_name": "Familjehemmet",
                "foster_contact_person": "Kontaktperson",
                "foster_phone": "070-000 00 00",
            }
            for referral_id in ids
        ),
        now=now,
    )
    guardian_ids = _Ids(Guardian)
    guardians = [
        {"id": guardian_ids.take(), "referral_id": referral_id, "name": f"Vårdnadshavare {n + 1}"}
        for referral_id in ids
        for n in range(2 if referral_id % 3 == 0 else 1)
    ]
    copy_rows(Guardian, guardians, now=now)
    consent_ids = _Ids(GuardianConsent)
    copy_rows(
        GuardianConsent,
        (
            {
                "id": consent_ids.take(),
                "referral_id": guardian["referral_id"],
                "guardian_id": guardian["id"],
                "given_on": timezone.localdate(created_at),
                "method": GuardianConsent.Method.MEETING,
                "information_given": "Broschyr och samtal.",
                # A scan's storage name on every tenth: the purge deletes these files after commit.
                "document": f"consent/bench/{guardian['id']}.pdf" if guardian["id"] % 10 == 0 else "",
                "recorded_by_id": worker.pk,
            }
            for guardian in guardians
        ),
        now=now,
    )
    history_ids = _Ids(LogEntry)
    copy_rows(
        LogEntry,
        (
            _history_row(
                history_ids,
                referral_id=row["id"],
                pseudonym=row["pseudonym"],
                changes={"status": [ReferralStatus.PLACED, ReferralStatus.COMPLETED]},
                by_id=leader.pk,
                at=ended_at,
                reason="Gruppen avslutad; barnet flyttar.",
            )
            for row in rows
        ),
        now=now,
    )
    concern_ids = _Ids(ConcernReport)
    copy_rows(
        ConcernReport,
        (
            {
                "id": concern_ids.take(),
                "referral_id": referral_id,
                "reported_by_id": leader.pk,
                "justification": "Barnet berättade om oro.",
                "legal_reference": agreement.duty_to_report_reference,
            }
            for referral_id in ids[::20]
        ),
        now=now,
    )
    group_ids = _Ids(SupportGroup)
    placement_ids = _Ids(Placement)
    meeting_ids = _Ids(Meeting)
    groups, placements, meetings, attendance = [], [], [], []
    attendance_ids = _Ids(Attendance)
    starts_on = timezone.localdate(ended_at) - datetime.timedelta(weeks=8)
    for start in range(0, len(ids), 8):
        group_id = group_ids.take()
        groups.append(
            {
                "id": group_id,
                "agreement_id": agreement.pk,
                "name": f"Avslutad grupp {group_id}",
                "format": GroupFormat.WEEKLY,
                "status": GroupStatus.CLOSED,
                "min_age": 7,
                "max_age": 18,
                "starts_on": starts_on,
                "ends_on": starts_on + datetime.timedelta(weeks=7),
                "closed_at": ended_at,
            }
        )
        group_meetings = [meeting_ids.take() for _week in range(8)]
        meetings += [
            {
                "id": meeting_id,
                "group_id": group_id,
                "starts_at": _aware(starts_on + datetime.timedelta(weeks=week), 17),
                "ends_at": _aware(starts_on + datetime.timedelta(weeks=week), 19),
                "held_confirmed_at": ended_at,
            }
            for week, meeting_id in enumerate(group_meetings)
        ]
        for referral_id in ids[start : start + 8]:
            placement_id = placement_ids.take()
            placements.append(
                {"id": placement_id, "group_id": group_id, "referral_id": referral_id, "placed_by_id": leader.pk}
            )
            attendance += [
                {
                    "id": attendance_ids.take(),
                    "meeting_id": meeting_id,
                    "placement_id": placement_id,
                    # Present at all but one meeting; the absence has a note the purge clears.
                    "present": week != 3,
                    "absence_reason": "ill" if week == 3 else "",
                    "note": "Feber, mamma ringde." if week == 3 else "",
                    "recorded_by_id": leader.pk,
                }
                for week, meeting_id in enumerate(group_meetings)
            ]
    copy_rows(SupportGroup, groups, now=now)
    copy_rows(Meeting, meetings, now=now)
    copy_rows(Placement, placements, now=now)
    visit_ids = _Ids(PreGroupVisit)
    copy_rows(
        PreGroupVisit,
        (
            {
                "id": visit_ids.take(),
                "placement_id": placement["id"],
                "kind": "exception",
                "exception_reason": "Bor långt bort.",
                "recorded_by_id": leader.pk,
            }
            for placement in placements
        ),
        now=now,
    )
    copy_rows(Attendance, attendance, now=now)
    sequences_reset(
        Referral,
        ChildIdentity,
        Guardian,
        GuardianConsent,
        LogEntry,
        ConcernReport,
        SupportGroup,
        Meeting,
        Placement,
        PreGroupVisit,
        Attendance,
    )
    assert ids[0] == first_number
    return ids
