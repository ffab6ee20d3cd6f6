"""IOP 3.2: a child from another municipality costs it 5 000 kr once per agreement year, not once
per place; a child who never starts owes nothing; the finance log has every step."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from finance import services
from finance.models import ExternalFee, FinanceAuditEntry
from groups import services as group_services
from groups.models import Attendance
from partnership.models import Role
from referrals.identity_numbers import age_on
from referrals.models import ReferralStatus
from referrals.services import referral_transition
from tests.factories import make_agreement, make_group, make_referral, make_user

pytestmark = pytest.mark.django_db

A = FinanceAuditEntry.Action


@pytest.fixture
def world():
    today = timezone.localdate()
    agreement = make_agreement(starts_on=today.replace(month=1, day=1), ends_on=today.replace(year=today.year + 1))
    manager = make_user(Role.OPERATIONS_MANAGER)
    first = make_group(agreement=agreement, name="Måndagsgruppen", manager=manager, weekday=0)
    second = make_group(agreement=agreement, name="Torsdagsgruppen", manager=manager, weekday=3)
    # The referral's default start is in 30 days; the groups start a little after.
    child = make_referral(agreement=agreement, is_external=True, external_municipality="Solna", age=10)
    return agreement, manager, first, second, child


def test_placing_again_or_moving_groups_never_bills_a_second_fee(world):
    agreement, manager, first, second, child = world
    placement = group_services.group_place_child(group=first, referral=child, placed_by=manager)
    group_services.placement_remove(placement=placement, by=manager, reason="Fel grupp")
    group_services.group_place_child(group=second, referral=child, placed_by=manager)
    placement = child.placements.get(removed_at__isnull=True)
    group_services.placement_remove(placement=placement, by=manager, reason="Flyttas tillbaka")
    group_services.group_place_child(group=first, referral=child, placed_by=manager)
    fees = ExternalFee.objects.filter(agreement=agreement)
    assert fees.count() == 1
    assert FinanceAuditEntry.objects.filter(action=A.FEE_RECORDED).count() == 1


def test_the_invoice_gives_the_age_on_the_groups_first_meeting(world):
    _agreement, manager, first, _second, _child = world
    # Born so that the tenth birthday falls two days before the group's first meeting, after today
    # (the factory's child is born `age` years and 40 days before the planned start).
    child = make_referral(
        agreement=first.agreement,
        is_external=True,
        external_municipality="Nacka",
        age=10,
        planned_start=first.starts_on + datetime.timedelta(days=38),
    )
    group_services.group_place_child(group=first, referral=child, placed_by=manager)
    fee = ExternalFee.objects.get(referral=child)
    assert fee.child_age == 10 == age_on(child.child.birth_date, first.starts_on)
    assert age_on(child.child.birth_date, timezone.localdate()) == 9


def test_a_child_who_never_starts_has_the_fee_voided_with_the_reason_logged(world):
    _agreement, manager, first, _second, child = world
    group_services.group_place_child(group=first, referral=child, placed_by=manager)
    social_worker = child.submitted_by
    referral_transition(referral=child, to_status=ReferralStatus.WITHDRAWN, by=social_worker, reason="Familjen flyttar")
    fee = ExternalFee.objects.get(referral=child)
    assert fee.is_voided and "Familjen flyttar" in fee.void_reason
    entry = FinanceAuditEntry.objects.get(action=A.FEE_VOIDED)
    assert "Familjen flyttar" in entry.reason and entry.amount_ore == fee.amount_ore


def test_a_child_who_started_keeps_the_fee_when_the_referral_ends(world):
    _agreement, manager, first, _second, child = world
    group_services.group_place_child(group=first, referral=child, placed_by=manager)
    placement = child.placements.get()
    Attendance.objects.create(
        meeting=first.meetings.order_by("starts_at").first(), placement=placement, present=True, recorded_by=manager
    )
    referral_transition(referral=child, to_status=ReferralStatus.WITHDRAWN, by=child.submitted_by, reason="Slutar")
    assert not ExternalFee.objects.get(referral=child).is_voided


def test_paying_a_fee_is_logged_and_a_voided_fee_cannot_be_paid(world):
    _agreement, manager, first, _second, child = world
    group_services.group_place_child(group=first, referral=child, placed_by=manager)
    fee = ExternalFee.objects.get(referral=child)
    services.external_fee_mark_paid(fee=fee, paid_on=timezone.localdate(), by=manager)
    assert FinanceAuditEntry.objects.filter(action=A.FEE_MARKED_PAID, amount_ore=fee.amount_ore).exists()
    other = make_referral(agreement=first.agreement, is_external=True, external_municipality="Täby")
    group_services.group_place_child(group=first, referral=other, placed_by=manager)
    voided = services.external_fee_void(fee=ExternalFee.objects.get(referral=other), reason="Fel kommun", by=manager)
    with pytest.raises(ValidationError):
        services.external_fee_mark_paid(fee=voided, paid_on=timezone.localdate(), by=manager)


def test_the_database_holds_one_fee_per_child_and_year(world):
    agreement, manager, first, _second, child = world
    group_services.group_place_child(group=first, referral=child, placed_by=manager)
    fee = ExternalFee.objects.get(referral=child)
    duplicate = {
        f.name: getattr(fee, f.name)
        for f in ExternalFee._meta.concrete_fields
        if f.name not in ("id", "public_id", "placement", "created_at", "updated_at")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ExternalFee.objects.create(**duplicate)
    services.external_fee_void(fee=fee, reason="Fel kommun", by=manager)
    ExternalFee.objects.create(**{**duplicate, "voided_at": None, "void_reason": ""})  # a voided one does not count
    assert ExternalFee.objects.filter(agreement=agreement, voided_at__isnull=True).count() == 1


def test_the_fee_list_shows_a_voided_fee_with_its_reason_and_no_payment_button(world, make_signed_in_client):
    _agreement, manager, first, _second, child = world
    group_services.group_place_child(group=first, referral=child, placed_by=manager)
    fee = services.external_fee_void(fee=ExternalFee.objects.get(referral=child), reason="Fel kommun", by=manager)
    page = make_signed_in_client(manager).get(reverse("finance:fees")).content.decode()
    assert "Makulerad: Fel kommun" in page
    assert reverse("finance:fee_mark_paid", kwargs={"public_id": fee.public_id}) not in page
    assert "Ålder vid gruppstart" in page


def test_a_rule_ending_the_referral_voids_the_fee_with_no_person_behind_it(world, make_signed_in_client):
    """The waiting-list rule withdraws a referral with nobody pressing a button (by=None): the
    fee is voided all the same, and the finance log says a rule did it."""
    _agreement, manager, first, _second, child = world
    placement = group_services.group_place_child(group=first, referral=child, placed_by=manager)
    group_services.placement_remove(placement=placement, by=manager, reason="Tillbaka till väntelistan")
    referral_transition(referral=child, to_status=ReferralStatus.WITHDRAWN, by=None, reason="Väntelistans regel")
    assert ExternalFee.objects.get(referral=child).is_voided
    entry = FinanceAuditEntry.objects.get(action=A.FEE_VOIDED)
    assert entry.by is None
    coordinator = make_user(Role.COORDINATOR)
    page = make_signed_in_client(coordinator).get(reverse("finance:audit_log")).content.decode()
    assert "En regel i Gruppstöd" in page


def test_a_fee_is_voided_by_hand_with_a_reason_that_goes_in_the_finance_log(world, make_signed_in_client):
    _agreement, manager, first, _second, child = world
    group_services.group_place_child(group=first, referral=child, placed_by=manager)
    fee = ExternalFee.objects.get(referral=child)
    client = make_signed_in_client(manager)
    fees_page = client.get(reverse("finance:fees")).content.decode()
    url = reverse("finance:fee_void", kwargs={"public_id": fee.public_id})
    assert url in fees_page

    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200
    assert "Ange varför avgiften makuleras." in empty.context["form"].errors["reason"][0]
    fee.refresh_from_db()
    assert fee.voided_at is None

    assert client.post(url, {"reason": "Barnet är folkbokfört i Stockholm"}).status_code == 302
    fee.refresh_from_db()
    assert fee.voided_at is not None and fee.voided_by == manager
    entry = FinanceAuditEntry.objects.get(action=A.FEE_VOIDED)
    assert entry.reason == "Barnet är folkbokfört i Stockholm" and entry.by == manager
    again = client.post(url, {"reason": "Igen"})
    assert again.status_code == 200 and "redan makulerad" in str(again.context["form"].errors)
    assert url not in client.get(reverse("finance:fees")).content.decode()


def test_a_paid_fee_cannot_be_voided_by_hand(world, make_signed_in_client):
    _agreement, manager, first, _second, child = world
    group_services.group_place_child(group=first, referral=child, placed_by=manager)
    fee = services.external_fee_mark_paid(
        fee=ExternalFee.objects.get(referral=child), paid_on=timezone.localdate(), by=manager
    )
    response = make_signed_in_client(manager).post(
        reverse("finance:fee_void", kwargs={"public_id": fee.public_id}), {"reason": "Fel kommun"}
    )
    assert "betald och kan inte makuleras" in response.context["form"].errors["reason"][0]
    fee.refresh_from_db()
    assert fee.voided_at is None
