"""Demo referrals, created through the real services. Invented names.

The districts submit them here; the consent app's demo (consent/demo.py) then records the
guardians' consents and takes each child to the status it shows in the demo."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnership.models import Agreement, District, Membership, Organisation, Role

from .identity_numbers import parse_identity_number
from .models import InterestRegistration, Referral, ReferralStatus
from .services import ChildDetails, GuardianDetails, referral_submit, referral_transition

S = ReferralStatus

# first name, last name, birth date, serial, district, basis, guardians with consent, end status
DEMO_CHILDREN = [
    ("Alva", "Lind", datetime.date(2014, 3, 9), "238", "Farsta", "sol", 2, S.READY),
    ("Elias", "Berg", datetime.date(2012, 6, 1), "215", "Farsta", "sol", 1, S.AWAITING_CONSENT),
    ("Maja", "Holm", datetime.date(2010, 11, 20), "266", "Farsta", "lvu", 0, S.WAITING_LIST),
    ("Noah", "Sjö", datetime.date(2015, 1, 15), "233", "Bromma", "sol", 2, S.WAITING_LIST),
    ("Wilma", "Ek", datetime.date(2011, 9, 30), "244", "Skärholmen", "lvu", 0, S.READY),
    ("Liam", "Strand", datetime.date(2013, 4, 4), "251", "Farsta", "sol", 2, S.WITHDRAWN),
    ("Ella", "Dahl", datetime.date(2009, 8, 12), "228", "Södermalm", "sol", 2, S.DECLINED),
]


# The listed birth dates give the demo children their ages in this year; in a later year they move
# on as many years, so that every child stays inside the target group (7–18) whenever it is run.
DEMO_YEAR = 2026


def demo_birth_date(listed: datetime.date) -> datetime.date:
    years = timezone.localdate().year - DEMO_YEAR
    try:
        return listed.replace(year=listed.year + years)
    except ValueError:  # 29 February
        return listed.replace(year=listed.year + years, day=28)


def identity_number(birth_date: datetime.date, serial: str) -> str:
    short = f"{birth_date:%y%m%d}{serial}"
    total = 0
    for index, char in enumerate(short):
        value = int(char) * (2 - index % 2)
        total += value - 9 if value > 9 else value
    return f"{birth_date:%Y%m%d}-{serial}{(10 - total % 10) % 10}"


def load(agreement: Agreement) -> None:
    User = get_user_model()
    manager = User.objects.get(username="verksamhetsansvarig")
    today = timezone.localdate()
    for first, last, birth_date, serial, district_name, basis, _consents, final_status in DEMO_CHILDREN:
        number = identity_number(demo_birth_date(birth_date), serial)
        if Referral.objects.filter(identity_hash=parse_identity_number(number).hash).exists():
            continue  # re-running keeps existing data
        district = District.objects.get(name=district_name)
        social_worker = district_social_worker(district)
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
                foster_email="familjehem@example.se",
            ),
            guardians=[GuardianDetails(name=f"Vårdnadshavare {n} {last}") for n in (1, 2)] if basis == "sol" else [],
            placement_basis=basis,
            lvu_legal_basis="2 § LVU" if basis == "lvu" else "",
            custody="joint",
            planned_start=today + datetime.timedelta(days=45),
            case_officer_name=social_worker.get_full_name(),
            needs_language="Svenska",
        )
        if basis == "lvu" and final_status == S.WAITING_LIST:  # LVU needs no consent (consent/demo.py: SoL)
            referral_transition(referral=referral, to_status=S.WAITING_LIST, by=manager)
    if not InterestRegistration.objects.exists():
        InterestRegistration.objects.create(
            agreement=agreement,
            district=District.objects.get(name="Farsta"),
            child_first_name="Saga",
            child_birth_year=today.year - 11,
            foster_contact_person="Per Familjehem",
            foster_phone="070-111 11 11",
            message="Saga vill gärna gå i grupp med andra i samma ålder.",
            recorded_by=manager,
        )


def district_social_worker(district: District):
    """The demo login for Farsta; an invented colleague in other districts."""

    User = get_user_model()
    membership = Membership.objects.filter(role=Role.SOCIAL_WORKER, district=district).select_related("user").first()
    if membership:
        return membership.user
    slug = district.name.lower().replace("ä", "a").replace("å", "a").replace("ö", "o").replace("-", "")
    user = User.objects.create_user(
        username=f"socsek-{slug}", first_name="Demo", last_name=f"Socialsekreterare {district.name}", password=None
    )
    Membership.objects.create(
        user=user,
        organisation=Organisation.objects.get(short_name="Socialförvaltningen"),
        role=Role.SOCIAL_WORKER,
        district=district,
    )
    return user
