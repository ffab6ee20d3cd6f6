"""The list of travel and lodging, a page at a time: district by name, the newest first in each,
read from where the last page ended (no COUNT, no OFFSET), forward and back."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from finance import selectors
from finance.models import TravelCost
from partnership.models import Role
from partnership.pagination import AFTER, BEFORE
from tests.factories import make_referral, make_user

from .helpers import agreement_with_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    # A day inside the 2017–2018 agreement: the children are referred while it is in force.
    with time_machine.travel(datetime.datetime(2018, 6, 1, 10, tzinfo=datetime.UTC), tick=True):
        yield _world()


def _world():
    coordinator = make_user(Role.COORDINATOR, username="resor_samordnare")
    agreement, _years = agreement_with_years(coordinator)
    manager = make_user(Role.OPERATIONS_MANAGER)
    day = datetime.date(2017, 5, 1)
    # Four districts, Östermalm among them (the database's collation orders Å, Ä, Ö), entries on
    # shared days so that the row id breaks the ties.
    for district, entries in (("Farsta", 4), ("Bromma", 3), ("Östermalm", 2), ("Skärholmen", 1)):
        referral = make_referral(agreement=agreement, district_name=district)
        for n in range(entries):
            TravelCost.objects.create(
                agreement=agreement,
                district_id=referral.district_id,
                referral=referral,
                child_pseudonym=referral.pseudonym,
                kind="travel",
                incurred_on=day + datetime.timedelta(days=n // 2),
                amount_ore=100_00,
                recorded_by=manager,
            )
    return coordinator


def _in_the_lists_order():
    return list(TravelCost.objects.order_by("district__name", "-incurred_on", "-pk").values_list("pk", flat=True))


def test_the_pages_forward_and_back_are_the_whole_list_in_its_order(world):
    pages, params = [], {}
    for _ in range(10):
        page = selectors.travel_cost_page(world, params=params, size=3)
        pages.append([cost.pk for cost in page])
        if not page.has_next:
            break
        params = {AFTER: page.next_cursor}
    assert [pk for page in pages for pk in page] == _in_the_lists_order()
    assert [len(page) for page in pages] == [3, 3, 3, 1]

    back = []
    for _ in range(10):
        if not page.has_previous:
            break
        page = selectors.travel_cost_page(world, params={BEFORE: page.previous_cursor}, size=3)
        back.insert(0, [cost.pk for cost in page])
    assert back == pages[:-1]
    assert not page.has_previous and page.has_next


def test_a_cursor_that_does_not_parse_starts_from_the_first_page(world):
    page = selectors.travel_cost_page(world, params={AFTER: "inte-en-markör"}, size=3)
    assert [cost.pk for cost in page] == _in_the_lists_order()[:3]


def test_the_travel_page_reads_a_page_without_counting_the_list(
    world, make_signed_in_client, django_assert_num_queries
):
    client = make_signed_in_client(world)
    client.get(reverse("finance:travel"))  # the session's first request does some once-only work
    # session, user, two-factor device, membership; the user's agreements (list); the list's keys;
    # the page's rows; the sums per district and the districts' names; the session's update, in a
    # savepoint of the test's transaction (two more statements).
    with django_assert_num_queries(12):
        response = client.get(reverse("finance:travel"))
    assert response.status_code == 200
    assert "Nästa" not in response.content.decode()  # ten entries: one page of fifty
