"""Demo data of the coordination: three providers beside Bris with different arrangements and
target groups, their groups in every status of the current term on the public page (the running
one with its first meeting's attendance), a parallel parents' group, a public interest to take
up, and logins for the new providers' staff.

Invented people; real organisations' names as the city's proposal lists them. Idempotent: a
provider, group or user that exists is left as it is.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from groups import schedule
from groups import services as group_services
from groups.models import AbsenceReason, Audience, GroupFormat, GroupStatus, Premises, SupportGroup
from partnership.management.commands.load_demo_data import DEMO_PASSWORD
from partnership.models import Agreement, District, Membership, Organisation, Role, TargetGroup

from .models import Participant
from .services import (
    ParticipantAttendanceEntry,
    group_publication_update,
    parent_register,
    participant_attendance_record,
    participant_place,
    public_interest_submit,
)

PROVIDERS = [
    # name, short name, type, district, arrangement, target group, website
    (
        "Ersta diakoni, Ersta Vändpunkten",
        "Ersta Vändpunkten",
        Organisation.Type.NGO,
        None,
        Agreement.Kind.OPERATING_GRANT,
        "parental_substance_misuse",
        "https://example.se/ersta-vandpunkten",
    ),
    (
        "Hägersten-Älvsjö stadsdelsförvaltning",
        "Hägersten-Älvsjö",
        Organisation.Type.DISTRICT,
        "Hägersten-Älvsjö",
        Agreement.Kind.DISTRICT_OWN,
        "violence_in_family",
        "https://example.se/hagersten-alvsjo",
    ),
    (
        "Schizofreniförbundet, Källan",
        "Källan",
        Organisation.Type.NGO,
        None,
        Agreement.Kind.OPERATING_GRANT,
        "parental_mental_illness",
        "https://example.se/kallan",
    ),
]

# username, first name, last name, role, provider short name
DEMO_USERS = [
    ("ersta_gruppledare", "Elin", "Ersta", Role.GROUP_LEADER, "Ersta Vändpunkten"),
    ("ersta_ansvarig", "Erik", "Ersta", Role.OPERATIONS_MANAGER, "Ersta Vändpunkten"),
    ("hagersten_ansvarig", "Hanna", "Hägersten", Role.OPERATIONS_MANAGER, "Hägersten-Älvsjö"),
    ("kallan_ansvarig", "Karin", "Källan", Role.OPERATIONS_MANAGER, "Källan"),
]


def load(agreement: Agreement) -> list[tuple[str, str]]:
    city = agreement.public_party
    today = timezone.localdate()
    arrangements = {}
    for name, short_name, kind, district_name, arrangement, target, website in PROVIDERS:
        organisation, _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "short_name": short_name,
                "kind": Organisation.Kind.NONPROFIT if kind == Organisation.Type.NGO else Organisation.Kind.PUBLIC,
                "organisation_type": kind,
                "district": District.objects.get(name=district_name) if district_name else None,
                "website": website,
                "public_email": f"grupper@{website.rsplit('/', 1)[-1]}.example.se",
                "public_phone": "08-508 000 00",
            },
        )
        organisation.target_groups.add(TargetGroup.objects.get(code=target))
        arrangements[short_name], _ = Agreement.objects.get_or_create(
            provider=organisation,
            public_party=city,
            kind=arrangement,
            defaults={
                "name": f"{short_name}: {Agreement.Kind(arrangement).label}",
                "target_group": TargetGroup.objects.get(code=target),
                # Two years from this January: the demo's planned groups start up to a term ahead,
                # and a group belongs to the agreement in force on its first meeting.
                "starts_on": datetime.date(today.year, 1, 1),
                "ends_on": datetime.date(today.year + 1, 12, 31),
                "grant_amount_ore": 45_000_000 if arrangement == Agreement.Kind.OPERATING_GRANT else None,
                "grant_report_due_on": datetime.date(today.year + 2, 3, 31)
                if arrangement == Agreement.Kind.OPERATING_GRANT
                else None,
            },
        )
    users = _users()
    if not SupportGroup.objects.filter(agreement=arrangements["Ersta Vändpunkten"]).exists():
        _ersta(arrangements["Ersta Vändpunkten"], users, today)
        _hagersten(arrangements["Hägersten-Älvsjö"], users, today)
        _kallan(arrangements["Källan"], users, today)
        _bris_published(agreement)
    return [(username, f"{role.label}, {provider}") for username, _f, _l, role, provider in DEMO_USERS]


def _users() -> dict:
    User = get_user_model()
    users = {}
    for username, first, last, role, provider in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.se"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user, defaults={"organisation": Organisation.objects.get(short_name=provider), "role": role}
        )
        users[username] = user
    return users


def _group(agreement, manager, leader, name, earliest, weekday, *, min_age, max_age, premises, audience="children"):
    return group_services.group_create(
        agreement=agreement,
        created_by=manager,
        name=name,
        format=GroupFormat.WEEKLY,
        min_age=min_age,
        max_age=max_age,
        premises=premises,
        leaders=[leader],
        slots=schedule.weekly_schedule(earliest=earliest, weekday=weekday, start_time=datetime.time(17)),
    )


def _publish(group, manager, **fields):
    values = {
        "audience": Audience.CHILDREN,
        "target_group": None,
        "parallel_to": None,
        "district": None,
        "is_published": True,
        "public_description": "",
        "how_to_join": "",
    }
    values.update(fields)
    return group_publication_update(group=group, by=manager, **values)


def _ersta(agreement, users, today):
    """Ersta Vändpunkten: CAP groups for children of parents with substance misuse, one in every
    status, and a parents' group beside the open children's group."""
    manager, leader = users["ersta_ansvarig"], users["ersta_gruppledare"]
    room, _ = Premises.objects.get_or_create(name="Ersta Vändpunkten", defaults={"address": "Ersta gata 1, Stockholm"})
    parents_room, _ = Premises.objects.get_or_create(
        name="Ersta Vändpunkten, samtalsrummet", defaults={"address": "Ersta gata 1, Stockholm"}
    )
    description = "CAP-grupp: samtal, lek och skapande för barn som har en förälder med missbruk."
    # Open for registration: the children's group the custodians find on the public page.
    children = _group(
        agreement,
        manager,
        leader,
        "CAP-gruppen 7–12 år",
        today + datetime.timedelta(days=21),
        1,
        min_age=7,
        max_age=12,
        premises=room,
    )
    children = group_services.group_open(group=children, by=manager)
    _publish(
        children,
        manager,
        public_description=description,
        how_to_join="Anmäl intresse här eller ring Ersta Vändpunkten.",
    )
    parents = _group(
        agreement,
        manager,
        manager,
        "Föräldragrupp parallellt med CAP",
        today + datetime.timedelta(days=21),
        1,
        min_age=7,
        max_age=12,
        premises=parents_room,
    )
    _publish(
        parents,
        manager,
        audience=Audience.PARENTS,
        parallel_to=children,
        public_description="För föräldrar vars barn går i CAP-gruppen.",
    )
    parent_register(
        group=parents,
        name="Per Demoförälder",
        contact="per@example.se",
        accompanies=children,
        consent_on=today,
        by=leader,
    )
    # Planned, for young people.
    young = _group(
        agreement,
        manager,
        leader,
        "CAP-gruppen 13–17 år",
        today + datetime.timedelta(days=60),
        2,
        min_age=13,
        max_age=17,
        premises=room,
    )
    _publish(young, manager, audience=Audience.YOUNG_PEOPLE, public_description=description)
    # Closed this term: eight meetings held, the last a week ago.
    closed = _group(
        agreement,
        manager,
        leader,
        "CAP-gruppen, avslutad",
        today - datetime.timedelta(days=63),
        4,
        min_age=7,
        max_age=12,
        premises=room,
    )
    _take_in(closed, ["Ella", "Liam", "Maja", "Noah", "Wilma"], manager, today - datetime.timedelta(days=70))
    group_services.group_start(group=closed, by=manager)
    group_services.group_close(group=closed, by=leader)
    # Running: five children taken in on their custodians' consent, started a fortnight ago.
    running = _group(
        agreement,
        manager,
        leader,
        "CAP-gruppen, pågående",
        today - datetime.timedelta(days=14),
        3,
        min_age=7,
        max_age=12,
        premises=room,
    )
    taken_in = _take_in(running, ["Alma", "Ture", "Vera", "Otto", "Siri"], manager, today - datetime.timedelta(days=20))
    running = group_services.group_start(group=running, by=manager)
    # The first meeting's attendance is recorded; the later ones are the leader's to record.
    first = running.meetings.order_by("starts_at").first()
    participant_attendance_record(
        meeting=first,
        entries=[
            ParticipantAttendanceEntry(
                participant=child,
                present=child.child_first_name != "Otto",
                absence_reason=("" if child.child_first_name != "Otto" else AbsenceReason.ILL),
            )
            for child in taken_in
        ],
        by=leader,
    )
    _publish(running, manager, public_description=description)
    # Cancelled: too few registered.
    cancelled = _group(
        agreement,
        manager,
        leader,
        "CAP-gruppen, inställd",
        today + datetime.timedelta(days=30),
        4,
        min_age=7,
        max_age=12,
        premises=room,
    )
    group_services.group_cancel(group=cancelled, by=manager, reason="För få anmälda")
    # A public interest waiting in Ersta's inbox.
    public_interest_submit(
        sender_role="custodian",
        child_first_name="Nora",
        child_age=9,
        district=District.objects.get(name="Farsta"),
        target_group=agreement.target_group,
        contact_name="Nina Demo",
        contact="nina@example.se",
        may_tell_social_services=False,
    )


def _take_in(group, names, manager, consent_on) -> list[Participant]:
    group = group_services.group_open(group=group, by=manager)
    return [
        participant_place(
            group=group,
            interest=None,
            child_first_name=name,
            child_age=8 + number % 4,
            custodian_name=f"Vårdnadshavare till {name}",
            custodian_contact="070-000 00 00",
            consent_on=consent_on,
            consent_how="written",
            by=manager,
        )
        for number, name in enumerate(names)
    ]


def _hagersten(agreement, users, today):
    manager = users["hagersten_ansvarig"]
    room, _ = Premises.objects.get_or_create(
        name="Hägerstens träffpunkt", defaults={"address": "Demovägen 2, Hägersten"}
    )
    group = _group(
        agreement,
        manager,
        manager,
        "Trygga barn",
        today + datetime.timedelta(days=14),
        0,
        min_age=8,
        max_age=12,
        premises=room,
    )
    group = group_services.group_open(group=group, by=manager)
    _publish(
        group,
        manager,
        district=District.objects.get(name="Hägersten-Älvsjö"),
        public_description="Grupp för barn som har upplevt våld i familjen.",
        how_to_join="Kontakta socialtjänsten i Hägersten-Älvsjö eller anmäl intresse här.",
    )


def _kallan(agreement, users, today):
    manager = users["kallan_ansvarig"]
    group = _group(
        agreement,
        manager,
        manager,
        "Källan barngrupp",
        today + datetime.timedelta(days=45),
        2,
        min_age=7,
        max_age=13,
        premises=None,
    )
    _publish(group, manager, public_description="För barn som har en förälder med psykisk ohälsa.")


def _bris_published(agreement):
    """Bris' open group on the public page too: the IOP is one partnership among several."""
    manager = get_user_model().objects.get(username="verksamhetsansvarig")
    for group in SupportGroup.objects.filter(agreement=agreement, parent__isnull=True, status=GroupStatus.OPEN):
        _publish(group, manager, target_group=None)
