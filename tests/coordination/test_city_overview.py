"""The coordinator's city in numbers (Stödgrupper i staden): per provider, across its agreements,
its groups, how many are published and how many are parents' groups; a weekend's subgroups are
parts of the weekend and not counted, and a provider with no groups is not listed."""

import datetime

import pytest
from django.urls import reverse

from coordination.selectors import city_overview
from groups.models import Audience, GroupFormat, SupportGroup
from partnership.models import Agreement, Role
from tests.factories import make_agreement, make_user

from .factories import make_arrangement, make_provider

pytestmark = pytest.mark.django_db


def _group(agreement, name, **fields):
    return SupportGroup.objects.create(
        agreement=agreement,
        name=name,
        format=GroupFormat.WEEKLY,
        min_age=7,
        max_age=12,
        starts_on=datetime.date(2017, 3, 1),
        **fields,
    )


@pytest.fixture
def city():
    bris = make_agreement()
    renewed = Agreement.objects.create(
        name="Förlängd",
        public_party=bris.public_party,
        provider=bris.provider,
        target_group=bris.target_group,
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2020, 12, 31),
    )
    _group(bris, "Vårgrupp", is_published=True)
    weekend = _group(bris, "Stödhelg", is_published=True)
    _group(bris, "Stödhelg, yngre", parent=weekend, is_published=True)
    _group(renewed, "Föräldragrupp", audience=Audience.PARENTS)
    _group(renewed, "Höstgrupp")
    ersta = make_arrangement(make_provider())
    _group(ersta, "Erstas grupp", is_published=True)
    make_arrangement(make_provider(name="Stadsmissionen", short_name="Stadsmissionen"))  # no groups
    return bris.provider.name, ersta.provider.name


def test_the_groups_of_each_provider_are_counted_across_its_agreements(city):
    bris, ersta = city
    rows = {row["name"]: row for row in city_overview()}
    assert set(rows) == {bris, ersta}
    assert {key: rows[bris][key] for key in ("groups", "published", "parents_groups")} == {
        "groups": 4,
        "published": 2,
        "parents_groups": 1,
    }
    assert (rows[ersta]["groups"], rows[ersta]["published"], rows[ersta]["parents_groups"]) == (1, 1, 0)
    assert [row["name"] for row in city_overview()] == sorted([bris, ersta])


def test_the_page_counts_in_as_many_queries_however_many_groups(city, make_signed_in_client, django_assert_num_queries):
    client = make_signed_in_client(make_user(Role.COORDINATOR))
    client.get(reverse("coordination:city_overview"))
    # session, user, two-factor device, membership; the groups per agreement; the parents per
    # provider; the public interests; the session's update in the test's savepoint (3 statements).
    with django_assert_num_queries(10):
        response = client.get(reverse("coordination:city_overview"))
    assert response.status_code == 200
    _group(Agreement.objects.order_by("pk").first(), "Ännu en grupp")
    with django_assert_num_queries(10):
        client.get(reverse("coordination:city_overview"))
