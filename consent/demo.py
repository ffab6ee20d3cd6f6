"""Demo consents: the districts record the guardians' consent for the demo referrals (referrals/demo.py),
and each SoL child reaches the status it shows in the demo. Through the real services."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnership.models import Agreement, District
from referrals.demo import DEMO_CHILDREN, demo_birth_date, district_social_worker, identity_number
from referrals.identity_numbers import parse_identity_number
from referrals.models import Referral, ReferralStatus
from referrals.services import referral_transition

from .services import consent_record, consent_withdraw

S = ReferralStatus


def load(agreement: Agreement) -> None:
    manager = get_user_model().objects.get(username="verksamhetsansvarig")
    today = timezone.localdate()
    for _first, _last, birth_date, serial, district_name, basis, consents, final_status in DEMO_CHILDREN:
        if basis != "sol":
            continue
        referral = Referral.objects.get(
            identity_hash=parse_identity_number(identity_number(demo_birth_date(birth_date), serial)).hash
        )
        if referral.consents.exists() or not referral.is_active:
            continue  # re-running keeps existing data
        social_worker = district_social_worker(District.objects.get(name=district_name))
        for guardian in list(referral.guardians.all())[:consents]:
            consent_record(
                referral=referral,
                guardian=guardian,
                given_on=today,
                method="meeting",
                information_given="Broschyren om Bris stödgrupper och ett samtal om upplägget.",
                recorded_by=social_worker,
            )
        referral.refresh_from_db()
        if final_status == S.WAITING_LIST:
            referral_transition(referral=referral, to_status=S.WAITING_LIST, by=manager)
        elif final_status == S.DECLINED:
            referral_transition(
                referral=referral, to_status=S.DECLINED, by=manager, reason="Barnet går redan i en annan grupp."
            )
        elif final_status == S.WITHDRAWN:
            consent_withdraw(consent=referral.consents.first(), by=social_worker, reason="Vårdnadshavaren ångrade sig.")  # type: ignore[arg-type]
