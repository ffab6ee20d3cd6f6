"""Demo data for the follow-up pages: two closed groups with evaluations (so the follow-up report
has real content), cooperation meetings, an amendment awaiting a signature, a district contact
list and breakfast meetings. Invented names. Safe to re-run: what exists is kept.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from groups.models import Placement, SupportGroup
from partnership.management.commands.load_demo_data import current_agreement, first_agreement
from partnership.models import Agreement, AgreementAmendment, District, Organisation
from referrals.demo import district_social_worker, identity_number
from referrals.identity_numbers import parse_identity_number
from referrals.models import Referral
from referrals.services import ChildDetails, referral_submit

from .evaluation import evaluation_answer_set_record
from .models import (
    AgendaItem,
    CooperationDecision,
    CooperationGroupMember,
    CooperationMeeting,
    DistrictContact,
    EvaluationInstrument,
    InformationMeeting,
    InformationSignup,
)

# name, format, first meeting, last meeting, children: (first, last, age, birth month/day, serial,
# district). Ages, not birth dates: the referral records the age at its planned start, which the
# demo puts in the near future, so the children keep the group's age band whenever it is run.
DEMO_GROUPS = [
    (
        "Uppföljningsdemo: torsdagsgruppen våren 2018",
        "weekly",
        datetime.date(2018, 3, 1),
        datetime.date(2018, 4, 19),
        [
            ("Tuva", "Ask", 10, (2, 11), "311", "Farsta"),
            ("Hugo", "Björk", 11, (5, 3), "323", "Farsta"),
            ("Ines", "Lönn", 9, (1, 20), "335", "Bromma"),
            ("Melvin", "Alm", 10, (9, 14), "347", "Farsta"),
            ("Stella", "Rönn", 11, (12, 2), "359", "Skärholmen"),
            ("Vincent", "Hägg", 9, (6, 30), "361", "Farsta"),
            ("Saga", "Idegran", 10, (4, 8), "373", "Bromma"),
        ],
    ),
    (
        "Uppföljningsdemo: stödhelgen hösten 2018",
        "weekend",
        datetime.date(2018, 9, 15),
        datetime.date(2018, 10, 13),
        [
            ("Nora", "Lind", 14, (3, 5), "385", "Södermalm"),
            ("Leo", "Sälg", 15, (7, 22), "397", "Farsta"),
            ("Alice", "Hassel", 13, (1, 9), "402", "Farsta"),
            ("Theo", "Oxel", 14, (11, 17), "414", "Bromma"),
            ("Juni", "Tall", 15, (10, 1), "426", "Farsta"),
        ],
    ),
]

DEMO_CONTACTS = [
    ("Farsta", "Anna Andersson", "Enhetschef barn och unga", "anna.andersson@farsta.example.se"),
    ("Farsta", "Omar Said", "Familjehemssekreterare", "omar.said@farsta.example.se"),
    ("Bromma", "Lena Ström", "Enhetschef familjehem", "lena.strom@bromma.example.se"),
    ("Skärholmen", "Jonas Eriksson", "Familjehemssekreterare", "jonas.eriksson@skarholmen.example.se"),
    ("Södermalm", "Petra Nyström", "Socialsekreterare", "petra.nystrom@sodermalm.example.se"),
    ("Rinkeby-Kista", "Amina Yusuf", "Enhetschef barn och unga", "amina.yusuf@rinkebykista.example.se"),
]

ITEMS = ["forstar", "prata", "klara", "framat", "viktigt", "inte-ensam"]


def _at(day: datetime.date, hour: int = 8) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _referral(agreement, first, last, age, month_day, serial, district_name):

    planned_start = timezone.localdate() + datetime.timedelta(days=60)
    birth_date = datetime.date(planned_start.year - age - 1, *month_day)
    if (planned_start.month, planned_start.day) >= month_day:
        birth_date = birth_date.replace(year=planned_start.year - age)
    number = identity_number(birth_date, serial)
    existing = Referral.objects.filter(identity_hash=parse_identity_number(number).hash).first()
    if existing:
        return existing
    district = District.objects.get(name=district_name)
    social_worker = district_social_worker(district)
    # LVU placements: no guardian consent is needed, which keeps the demo short. A referral is
    # made under the agreement in force today; these past children are then filed under the past
    # agreement their group belongs to (a demo shortcut, like the completed status below).
    referral = referral_submit(
        submitted_by=social_worker,
        agreement=current_agreement(),
        district=district,
        child=ChildDetails(
            first_name=first,
            last_name=last,
            identity_number=number,
            foster_home_name=f"Familjehemmet {last}",
            foster_contact_person=f"Kim {last}",
            foster_phone="070-000 00 00",
        ),
        guardians=[],
        placement_basis="lvu",
        lvu_legal_basis="2 § LVU",
        custody="sole",
        planned_start=planned_start,
        case_officer_name=social_worker.get_full_name(),
    )
    Referral.objects.filter(pk=referral.pk).update(agreement=agreement)
    referral.agreement = agreement
    return referral


def _groups(agreement, leader, manager) -> None:

    instruments = {i.code: i for i in EvaluationInstrument.objects.filter(version=1)}
    rng = random.Random(6)  # noqa: S311 - the same demo every time, nothing secret
    for name, group_format, starts_on, ends_on, children in DEMO_GROUPS:
        if SupportGroup.objects.filter(name=name).exists():
            continue
        group = SupportGroup.objects.create(
            agreement=agreement,
            name=name,
            format=group_format,
            status="closed",
            min_age=7 if group_format == "weekly" else 13,
            max_age=12 if group_format == "weekly" else 18,
            starts_on=starts_on,
            ends_on=ends_on,
            closed_at=_at(ends_on + datetime.timedelta(days=7)),
        )
        group.leaders.add(leader)
        child_code = "barn" if group_format == "weekly" else "ungdom"
        for first, last, age, month_day, serial, district_name in children:
            referral = _referral(agreement, first, last, age, month_day, serial, district_name)
            placement, _created = Placement.objects.get_or_create(
                group=group, referral=referral, defaults={"placed_by": manager}
            )
            # Some weeks on the waiting list, for the report's waiting time.
            waited = datetime.timedelta(days=rng.randint(14, 70))
            Placement.objects.filter(pk=placement.pk).update(created_at=referral.created_at + waited)
            # The group is over: the child's referral is completed (a demo shortcut, not a flow).
            Referral.objects.filter(pk=referral.pk).update(status="completed", ended_at=_at(ends_on))
            before = rng.choice([2, 2, 3, 3, 4])
            coherence = f"hur-jag-har-det-{child_code}"
            answers = [
                ("before", coherence, {c: max(1, before + rng.choice([-1, 0, 0])) for c in ITEMS}),
                ("after", coherence, {c: min(5, before + rng.choice([0, 1, 1, 2])) for c in ITEMS}),
                ("after", f"gruppen-{child_code}", {"trivdes": rng.choice([3, 4, 5, 5]), "trygg": rng.choice([4, 5])}),
                ("after", "familjehemmets-upplevelse", {"nojd": rng.choice([4, 4, 5]), "pratar": rng.choice([3, 4])}),
            ]
            for moment, code, values in answers:
                evaluation_answer_set_record(
                    group=group,
                    instrument=instruments[code],
                    moment=moment,
                    referral=referral,
                    answers=values,
                    entered_by=leader,
                    answered_on=starts_on if moment == "before" else ends_on,
                )


def _cooperation(agreement, coordinator) -> None:
    if agreement.cooperation_meetings.exists():
        return
    members = {member.title: member for member in agreement.cooperation_members.all()}
    owner = members.get("IOP-samordnare") or agreement.cooperation_members.first()
    # Autumn 2018 has no meeting: the overview flags it.
    for day, minutes in (
        (datetime.date(2017, 2, 14), "Uppstart. Rutin för anmälan gicks igenom."),
        (datetime.date(2017, 9, 12), "Två grupper genomförda under våren. Frukostmöten planerade."),
        (datetime.date(2018, 3, 20), "Uppföljning 2017 presenterades. Beslut om fler stödhelger."),
    ):
        meeting = CooperationMeeting.objects.create(
            agreement=agreement, meeting_date=day, minutes=minutes, held_at=_at(day, 15), created_by=coordinator
        )
        AgendaItem.objects.create(meeting=meeting, position=1, title="Uppföljning", is_standing=True)
        AgendaItem.objects.create(meeting=meeting, position=2, title="Informationsarbete")
        if owner:
            CooperationDecision.objects.create(
                meeting=meeting,
                text="Sammanställa utvärderingen inför nästa möte.",
                owner=owner,
                due_on=day + datetime.timedelta(days=60),
            )
    AgreementAmendment.objects.create(
        agreement=agreement,
        title="Fler barn per år från 2019",
        description="Parterna är överens om att målet höjs till cirka 48 barn per år.",
        changes={"target_children_per_year": 48},
        public_party_signed_by="Ulla Utredare, avdelningschef",
        public_party_signed_on=datetime.date(2018, 11, 20),
        recorded_by=coordinator,
    )


def _information(agreement, manager) -> None:
    for district_name, name, role, email in DEMO_CONTACTS:
        DistrictContact.objects.get_or_create(
            email=email, defaults={"district": District.objects.get(name=district_name), "name": name, "role": role}
        )
    if agreement.information_meetings.exists():
        return
    contacts = list(DistrictContact.objects.order_by("email"))
    # Three in 2017, only two in 2018: the list flags 2018 as behind.
    days = [(2017, 3, 8), (2017, 6, 7), (2017, 11, 15), (2018, 3, 14), (2018, 10, 10)]
    for index, day in enumerate(datetime.date(*parts) for parts in days):
        meeting = InformationMeeting.objects.create(
            agreement=agreement,
            starts_at=_at(day),
            location="Bris, Hälsingegatan",
            topic="Stödgrupper för familjehemsplacerade barn",
            invitations_sent_at=_at(day - datetime.timedelta(days=21)),
            held_at=_at(day, 10),
            created_by=manager,
        )
        for offset, contact in enumerate(contacts[: 3 + index % 3]):
            InformationSignup.objects.create(
                meeting=meeting,
                contact=contact,
                name=contact.name,
                email=contact.email,
                district=contact.district,
                attended=offset != 0,
            )


@transaction.atomic
def load(agreement: Agreement) -> None:
    User = get_user_model()
    leader = User.objects.get(username="gruppledare")
    manager = User.objects.get(username="verksamhetsansvarig")
    coordinator = User.objects.get(username="samordnare")
    # The past years (2017–2018) live under the first agreement; the report lets the user pick it.
    first = first_agreement()
    _cooperation_group(agreement)
    _cooperation_group(first)
    _groups(first, leader, manager)
    _cooperation(first, coordinator)
    _information(first, manager)


def _cooperation_group(agreement: Agreement) -> None:
    members = [
        ("Bris", "Vera Ansvarig", "Verksamhetsansvarig"),
        ("Bris", "Greta Ledare", "Ansvarig gruppledare"),
        ("Socialförvaltningen", "Ulla Utredare", "Utredare, stadsövergripande avdelningen"),
        ("Socialförvaltningen", "Iris Samordnare", "IOP-samordnare"),
    ]
    for org_name, name, title in members:
        CooperationGroupMember.objects.get_or_create(
            agreement=agreement,
            name=name,
            defaults={"organisation": Organisation.objects.get(short_name=org_name), "title": title},
        )
