"""Demo data of group composition: a waiting list long enough for two groups (younger children in
the south, older ones in the west), two Farsta children who must not meet, recorded by the
district, and one suggestion already asked for, so that `verksamhetsansvarig` finds it under
*Sätt samman grupper*. Invented names; idempotent (children and relations are found again)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from groups.demo import _ready_child
from partnership.models import Agreement

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
