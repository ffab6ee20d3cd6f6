"""Demo data of issue 16, loaded after the coordination's providers: a waiting list long enough
for two groups (younger children in the south, older ones in the west), two Farsta children who
must not meet, recorded by the district, and one suggestion already asked for, so that
`verksamhetsansvarig` finds it under *Sätt samman grupper*; the reference group for children of
parents with mental illness with a meeting and its minutes (`samordnare`, *Uppföljning →
Referensgrupper*); the method library with CAP (and its manual, followed by Ersta's groups) and
two methods still without a manual, so that areas are flagged. Invented names; idempotent (what
exists is found again)."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from weasyprint import HTML

from followup import cooperation
from followup.models import CooperationMeeting, ReferenceGroup
from groups import methods
from groups.demo import _ready_child
from groups.models import Method, SupportGroup
from partnership.models import Agreement, Organisation, TargetGroup

from .models import ChildRelation, CompositionRequest
from .services import child_relation_record, composition_suggest

# first name, last name, birth date (in the demo year), serial, district, other municipality
WAITING = [
    ("Sigge", "Alm", datetime.date(2017, 2, 3), "511", "Farsta", ""),
    ("Lova", "Berglund", datetime.date(2017, 9, 12), "522", "Skarpnäck", ""),
    ("Ture", "Carlsson", datetime.date(2016, 11, 1), "533", "Farsta", ""),
    ("Nova", "Dahlin", datetime.date(2017, 5, 20), "544", "Enskede-Årsta-Vantör", ""),
    ("Frans", "Ekman", datetime.date(2016, 8, 8), "555", "Skarpnäck", ""),
    ("Saga", "Forsberg", datetime.date(2017, 1, 30), "566", "Farsta", ""),
    ("Otto", "Granath", datetime.date(2012, 4, 14), "577", "Bromma", ""),
    ("Moa", "Hellström", datetime.date(2011, 12, 2), "588", "Hässelby-Vällingby", ""),
    ("Idun", "Isaksson", datetime.date(2012, 7, 7), "599", "Spånga-Tensta", ""),
    ("Valter", "Jansson", datetime.date(2011, 10, 19), "612", "Bromma", ""),
    ("Edith", "Karlsson", datetime.date(2012, 2, 25), "623", "Rinkeby-Kista", ""),
]


def load(agreement: Agreement) -> None:
    children = [_ready_child(agreement, row) for row in WAITING]
    User = get_user_model()
    worker = User.objects.get(username="socialsekreterare")  # Farsta
    first, third = children[0], children[2]
    low, high = sorted((first, third), key=lambda referral: referral.pk)
    if not ChildRelation.objects.filter(first=low, second=high).exists():
        child_relation_record(first=first, second=third, kind=ChildRelation.Kind.MUST_NOT_MEET, by=worker)
    manager = User.objects.get(username="verksamhetsansvarig")
    if not CompositionRequest.objects.filter(agreement=agreement).exists():
        composition_suggest(
            agreement=agreement,
            planned_start=timezone.localdate() + datetime.timedelta(days=28),
            max_groups=2,
            max_age_spread=3,
            by=manager,
        )
    coordinator = User.objects.get(username="samordnare")
    _reference_group(coordinator)
    _method_library(coordinator)


def _reference_group(coordinator) -> None:
    """The reference group for children of parents with mental illness (issue 16): a district,
    Källan and an expert, one meeting held a month ago with its minutes and a decision."""
    target_group = TargetGroup.objects.get(code="parental_mental_illness")
    if ReferenceGroup.objects.filter(target_group=target_group).exists():
        return
    group = cooperation.reference_group_create(
        target_group=target_group,
        name="Referensgruppen barn till föräldrar med psykisk ohälsa",
        purpose="Följa utvecklingen inom området, ta fram en manual för gruppverksamheten och sprida goda exempel.",
        created_by=coordinator,
    )
    farsta = Organisation.objects.filter(districts__name="Farsta").first()
    kallan = Organisation.objects.filter(short_name="Källan").first()
    social_worker = get_user_model().objects.filter(username="socialsekreterare").first()
    members = [
        ("Sam Sekreterare", "Socialsekreterare, Farsta", "district", farsta, social_worker),
        ("Klara Psykolog", "Psykolog, Källan", "provider", kallan, None),
        ("Pia Professor", "Forskare i barn- och ungdomspsykiatri", "expert", None, None),
    ]
    added = []
    for name, title, representing, organisation, user in members:
        if representing != "expert" and organisation is None:
            continue
        member = cooperation.reference_group_member_add(
            reference_group=group,
            name=name,
            title=title,
            representing=representing,
            organisation=organisation,
            user=user,
        )
        added.append(member)
    # The first member added owns the decision (the expert is always added, so there is one).
    owner = added[0]
    today = timezone.localdate()
    meeting = cooperation.reference_group_meeting_plan(
        reference_group=group,
        meeting_date=today,
        location="Socialförvaltningen, Swedenborgsgatan 20",
        created_by=coordinator,
    )
    cooperation.agenda_item_add(meeting=meeting, title="Läget i stadsdelarna", by=coordinator)
    cooperation.agenda_item_add(meeting=meeting, title="Manual för gruppverksamheten", by=coordinator)
    cooperation.cooperation_meeting_record_minutes(
        meeting=meeting,
        minutes=(
            "1. Läget i stadsdelarna: tre stadsdelar saknar grupper för målgruppen.\n"
            "2. Manual: det finns ingen manual för området; Källan och forskaren skriver ett utkast."
        ),
        by=coordinator,
    )
    cooperation.cooperation_decision_record(
        meeting=meeting,
        text="Utkast till manual presenteras på nästa möte.",
        owner=owner,
        due_on=today + datetime.timedelta(days=60),
        by=coordinator,
    )
    # Held a month ago (the services plan from today on).
    CooperationMeeting.objects.filter(pk=meeting.pk).update(meeting_date=today - datetime.timedelta(days=30))


METHODS = [
    # name, target group, ages, format, origin, with a manual
    (
        "CAP – Children Are People too",
        "parental_substance_misuse",
        (7, 12),
        "10 träffar om 1,5 timmar, en i veckan",
        "USA; svensk version 1989 (Ersta Vändpunkten)",
        True,
    ),
    ("Källans barngrupp", "parental_mental_illness", (7, 12), "8 träffar om 2 timmar", "Källan", False),
    ("Stödgrupp efter våld i familjen", "violence_in_family", (7, 12), "12 träffar om 1,5 timmar", "", False),
]


def _method_library(coordinator) -> None:
    for name, code, (low, high), format, origin, with_manual in METHODS:
        if Method.objects.filter(name=name).exists():
            continue
        method = methods.method_create(
            name=name,
            target_group=TargetGroup.objects.get(code=code),
            min_age=low,
            max_age=high,
            format=format,
            origin=origin,
            by=coordinator,
        )
        if with_manual:
            document = HTML(string=f"<h1>{name}</h1><p>Manual, version 1.0 (demo).</p>").write_pdf()
            methods.method_manual_add(
                method=method,
                version="1.0",
                published_on=timezone.localdate() - datetime.timedelta(days=400),
                document=ContentFile(document, name="manual.pdf"),
                changes="Första versionen.",
                by=coordinator,
            )
        groups = SupportGroup.objects.filter(agreement__target_group=method.target_group, parent__isnull=True)
        for group in groups.exclude(audience="parents"):
            if group.effective_target_group_id == method.target_group_id and group.method_id is None:
                methods.group_method_set(group=group, method=method, by=coordinator)
