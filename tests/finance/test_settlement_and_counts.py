"""The settlement and the annual report's counts read the groups app's groups and placements."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from finance import selectors, services
from finance.models import ExternalFee, TravelCost
from groups.models import GroupStatus, Placement, SupportGroup
from partnership.models import AccessLogEntry, Role
from referrals.identity_numbers import age_on
from tests.conftest import STOCKHOLM
from tests.factories import make_referral, make_user

from .helpers import agreement_with_years
from .test_views import pdf_text

pytestmark = pytest.mark.django_db


def _group(agreement, name, starts_on, status=GroupStatus.CLOSED, parent=None):
    return SupportGroup.objects.create(
        agreement=agreement,
        name=name,
        format="weekly",
        status=status,
        min_age=7,
        max_age=12,
        starts_on=starts_on,
        parent=parent,
    )


@pytest.fixture
def world():
    # A day inside the 2017–2018 agreement: referrals made "today" belong to it.
    with time_machine.travel(datetime.datetime(2018, 6, 1, 10, tzinfo=STOCKHOLM), tick=True):
        yield _world()


def _world():
    coordinator = make_user(Role.COORDINATOR, username="avslut_samordnare")
    agreement, years = agreement_with_years(coordinator)
    year = years[0]
    for quarter, day in (
        (1, datetime.date(2016, 12, 28)),
        (2, datetime.date(2017, 3, 29)),
        (3, datetime.date(2017, 6, 28)),
    ):
        services.payment_mark_paid(
            payment=year.payments.get(quarter=quarter), paid_on=day, reference="V", by=coordinator
        )
    _group(agreement, "Vårgrupp", datetime.date(2017, 2, 1))
    weekend = _group(agreement, "Stödhelg maj", datetime.date(2017, 5, 6), status=GroupStatus.RUNNING)
    _group(agreement, "Stödhelg maj, yngre", datetime.date(2017, 5, 6), status=GroupStatus.RUNNING, parent=weekend)
    _group(agreement, "Inställd grupp", datetime.date(2017, 3, 1), status=GroupStatus.CANCELLED)
    _group(agreement, "Höstgrupp", datetime.date(2017, 9, 1), status=GroupStatus.PLANNED)
    return coordinator, agreement, year


def test_settlement_counts_started_groups_once_and_repays_the_rest(world):
    _coordinator, agreement, _year = world
    settlement = selectors.settlement_for(agreement, datetime.date(2017, 6, 30))
    # Spring group and the May weekend (one intervention, still running = carried out).
    assert [group.name for group in settlement.groups] == ["Vårgrupp", "Stödhelg maj"]
    assert settlement.advances_paid_ore == 3 * 177_958_25
    assert settlement.amounts.carried_out_value_ore == 2 * 177_958_25
    assert settlement.amounts.provider_repays_ore == 177_958_25


def test_settlement_after_the_autumn_group_started_repays_nothing_and_the_city_owes_nothing(world):
    _coordinator, agreement, _year = world
    SupportGroup.objects.filter(name="Höstgrupp").update(status=GroupStatus.RUNNING)
    settlement = selectors.settlement_for(agreement, datetime.date(2017, 9, 15))
    assert len(settlement.groups) == 3
    assert settlement.amounts.balance_ore == 0


def test_a_group_planned_or_open_that_never_started_is_not_carried_out(world):
    """A group not cancelled is not therefore carried out: it counts only once its first meeting
    was held on or before the termination date."""
    _coordinator, agreement, _year = world
    _group(agreement, "Öppen grupp", datetime.date(2017, 8, 20), status=GroupStatus.OPEN)
    settlement = selectors.settlement_for(agreement, datetime.date(2017, 9, 15))
    assert [group.name for group in settlement.groups] == ["Vårgrupp", "Stödhelg maj"]
    not_counted = {group.name: group.reason for group in settlement.groups_not_counted}
    assert set(not_counted) == {"Inställd grupp", "Öppen grupp", "Höstgrupp"}
    assert "första träffen har inte hållits" in not_counted["Höstgrupp"]
    assert settlement.amounts.carried_out_value_ore == 2 * 177_958_25


def test_a_group_with_a_held_meeting_counts_even_before_its_status_changed(world):
    _coordinator, agreement, _year = world
    group = _group(agreement, "Bekräftad grupp", datetime.date(2017, 8, 20), status=GroupStatus.OPEN)
    at = datetime.datetime(2017, 8, 20, 16, tzinfo=datetime.UTC)
    group.meetings.create(starts_at=at, ends_at=at + datetime.timedelta(hours=2), held_confirmed_at=at)
    settlement = selectors.settlement_for(agreement, datetime.date(2017, 9, 15))
    assert "Bekräftad grupp" in [g.name for g in settlement.groups]
    before = selectors.settlement_for(agreement, datetime.date(2017, 8, 19))
    assert "Bekräftad grupp" not in [g.name for g in before.groups]


def test_settlement_outside_the_agreement_has_no_year(world):
    _coordinator, agreement, _year = world
    assert selectors.settlement_for(agreement, datetime.date(2019, 1, 1)) is None


def test_settlement_page_and_pdf_show_it_line_by_line(world, make_signed_in_client):
    coordinator, agreement, _year = world
    client = make_signed_in_client(coordinator)
    url = reverse("finance:settlement", kwargs={"public_id": agreement.public_id})
    page = client.get(url, {"termination_date": "2017-06-30"}).content.decode().replace("\u00a0", " ")
    assert "Vårgrupp" in page and "Bris återbetalar" in page and "177 958,25 kr" in page
    pdf_url = reverse("finance:settlement_pdf", kwargs={"public_id": agreement.public_id})
    response = client.get(pdf_url, {"termination_date": "2017-06-30"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\u00a0", " ")
    text = " ".join(text.split())  # the PDF wraps long cells
    assert "Stödhelg maj" in text
    assert "533 874,75 kr" in text  # advances paid
    assert "355 916,50 kr" in text  # value of the two interventions
    assert "Bris återbetalar" in text and "177 958,25 kr" in text


def test_settlement_page_refuses_a_date_outside_the_agreement(world, make_signed_in_client):
    coordinator, agreement, _year = world
    client = make_signed_in_client(coordinator)
    url = reverse("finance:settlement", kwargs={"public_id": agreement.public_id})
    response = client.get(url, {"termination_date": "2020-01-01"})
    assert "utanför" in response.context["form"].errors["termination_date"][0]


def test_group_and_child_counts_of_the_year(world):
    _coordinator, agreement, year = world
    spring = SupportGroup.objects.get(name="Vårgrupp")
    younger = SupportGroup.objects.get(name="Stödhelg maj, yngre")
    manager = make_user(Role.OPERATIONS_MANAGER)
    for group in (spring, spring, younger):
        Placement.objects.create(group=group, referral=make_referral(agreement=agreement), placed_by=manager)
    removed = Placement.objects.create(group=spring, referral=make_referral(agreement=agreement), placed_by=manager)
    Placement.objects.filter(pk=removed.pk).update(removed_at=datetime.datetime(2017, 2, 2, tzinfo=datetime.UTC))
    counts = selectors.group_counts(year)
    # Spring and the weekend were carried out; the cancelled group and the planned autumn one were not.
    assert (counts.groups, counts.children) == (2, 3)


def test_placing_a_child_from_another_municipality_creates_its_fee(world):
    _coordinator, agreement, _year = world
    manager = make_user(Role.OPERATIONS_MANAGER)
    referral = make_referral(
        agreement=agreement, first_name="Tove", last_name="Ahl", is_external=True, external_municipality="Solna", age=10
    )
    placement = Placement.objects.create(
        group=SupportGroup.objects.get(name="Vårgrupp"), referral=referral, placed_by=manager
    )
    fee = services.external_fee_record(placement=placement, recorded_by=manager)
    assert (fee.municipality, fee.child_initials, fee.amount_ore, fee.group_name) == (
        "Solna",
        "TA",
        500_000,
        "Vårgrupp",
    )
    # The age on the group's first meeting (1 February 2017), not today's.
    assert fee.child_age == age_on(referral.child.birth_date, datetime.date(2017, 2, 1))
    assert services.external_fee_record(placement=placement, recorded_by=manager) == fee
    assert ExternalFee.objects.count() == 1


def test_travel_costs_are_summed_per_placing_district(world, make_signed_in_client):
    coordinator, agreement, _year = world
    farsta = make_referral(agreement=agreement, district_name="Farsta")
    bromma = make_referral(agreement=agreement, district_name="Bromma")
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    for referral, kind, amount in ((farsta, "travel", "120,50"), (farsta, "lodging", "800"), (bromma, "travel", "60")):
        response = client.post(
            reverse("finance:travel_create"),
            {
                "child": referral.pseudonym.lower(),
                "kind": kind,
                "incurred_on": "2017-05-06",
                "amount": amount,
                "description": "",
            },
        )
        assert response.status_code == 302
    summary = {
        row["district__name"]: row
        for row in selectors.travel_summary_by_district(selectors.travel_costs_for(coordinator))
    }
    assert summary["Farsta"]["total_ore"] == 920_50 and summary["Farsta"]["children"] == 1
    assert summary["Farsta"]["lodging_ore"] == 800_00
    assert summary["Bromma"]["total_ore"] == 60_00
    page = make_signed_in_client(coordinator).get(reverse("finance:travel")).content.decode().replace("\u00a0", " ")
    assert "920,50 kr" in page and farsta.pseudonym in page
    assert farsta.child.last_name not in page


def test_travel_is_recorded_for_a_child_typed_by_pseudonym_and_never_for_one_out_of_reach(world, make_signed_in_client):
    _coordinator, agreement, _year = world
    referral = make_referral(agreement=agreement, district_name="Farsta")
    not_accepted = make_referral(agreement=agreement, district_name="Farsta", consents=0)
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    form_page = client.get(reverse("finance:travel_create")).content.decode()
    # No list of children on the page: it would hold every child of every year.
    assert referral.pseudonym not in form_page
    for typed in ("B-ZZZZZZ", not_accepted.pseudonym):
        response = client.post(
            reverse("finance:travel_create"),
            {"child": typed, "kind": "travel", "incurred_on": "2017-05-06", "amount": "100", "description": "Buss"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["child"] == [
            "Inget barn med den pseudonymen som du kan registrera resor för: kontrollera pseudonymen."
        ]
        html = response.content.decode()
        assert f'value="{typed}"' in html and 'value="Buss"' in html
    assert not TravelCost.objects.exists()
    response = client.post(
        reverse("finance:travel_create"),
        {"child": f" {referral.pseudonym} ", "kind": "travel", "incurred_on": "2017-05-06", "amount": "100"},
    )
    assert response.status_code == 302
    assert TravelCost.objects.get().referral == referral


def test_a_districts_travel_statement_is_a_pdf_of_its_own_entries(world, make_signed_in_client):
    coordinator, agreement, _year = world
    farsta = make_referral(agreement=agreement, district_name="Farsta")
    bromma = make_referral(agreement=agreement, district_name="Bromma")
    for referral, amount in ((farsta, 120_50), (farsta, 800_00), (bromma, 60_00)):
        services.travel_cost_record(
            agreement=agreement,
            referral=referral,
            kind="travel",
            incurred_on=datetime.date(2017, 5, 6),
            amount_ore=amount,
            description="Tåg",
            by=coordinator,
        )
    client = make_signed_in_client(coordinator)
    response = client.get(reverse("finance:travel_district_pdf", kwargs={"district_id": farsta.district_id}))
    text = pdf_text(response.content).replace("\u00a0", " ")
    assert "Resor och logi – Farsta" in text and farsta.pseudonym in text and "920,50 kr" in text
    assert bromma.pseudonym not in text and farsta.child.last_name not in text
    # The export of each child on it is in the access log, once per child.
    logged = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT, user=coordinator)
    assert list(logged.values_list("child_pseudonym", flat=True)) == [farsta.pseudonym]


def test_travel_outside_the_agreement_period_is_refused(world):
    coordinator, agreement, _year = world
    referral = make_referral(agreement=agreement)
    with pytest.raises(ValidationError) as error:
        services.travel_cost_record(
            agreement=agreement,
            referral=referral,
            kind="travel",
            incurred_on=datetime.date(2019, 1, 2),
            amount_ore=100_00,
            description="",
            by=coordinator,
        )
    assert "incurred_on" in error.value.message_dict
    assert not TravelCost.objects.exists()


def test_settlement_page_shows_which_groups_count_and_why(world, make_signed_in_client):
    coordinator, agreement, _year = world
    client = make_signed_in_client(coordinator)
    url = reverse("finance:settlement", kwargs={"public_id": agreement.public_id})
    page = client.get(url, {"termination_date": "2017-09-15"}).content.decode()
    counted, _sep, not_counted = page.partition("Grupper som inte räknas")
    assert "Vårgrupp" in counted and "Startade 2017-02-01 och är avslutad." in counted
    assert "Höstgrupp" in not_counted and "Planerad; första träffen har inte hållits." in not_counted
    assert "Inställd grupp" in not_counted and "Inställd; genomfördes aldrig." in not_counted
