"""Demo data for purging and return: two children whose group has closed, one past the grace
period (due now) and one inside it. Created through the real services; invented names."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from consent.services import consent_record
from partnership.models import Agreement, District

from .demo import _district_social_worker, _identity_number
from .identity_numbers import parse_identity_number
from .models import Referral, ReferralStatus
from .services import ChildDetails, GuardianDetails, referral_submit, referral_transition

# first name, last name, birth date, serial, days since the group closed
DEMO_ENDED = [
    ("Hugo", "Vik", datetime.date(2013, 5, 17), "272", 45),
    ("Stina", "Alm", datetime.date(2014, 10, 2), "281", 10),
]


def load_demo_lifecycle(agreement: Agreement) -> None:
    from groups.models import GroupFormat, GroupStatus, Placement, SupportGroup

    manager = get_user_model().objects.get(username="verksamhetsansvarig")
    district = District.objects.get(name="Farsta")
    social_worker = _district_social_worker(district)
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
        number = _identity_number(birth_date, serial)
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
            age_override_reason="Demodata",
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
