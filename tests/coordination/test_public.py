"""The public page of groups, its feeds and what it must never show."""

import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from icalendar import Calendar

from coordination.models import ParentParticipant
from coordination.services import parent_register
from groups.services import group_place_child
from partnership.models import District, Role
from tests.coordination.factories import make_provider_world, publish
from tests.factories import make_agreement, make_group, make_referral, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city_of_groups():
    """Bris (IOP) with a published group holding a placed child, an unpublished one; Ersta on an
    operating grant with a published children's group and a parallel parents' group with a parent."""
    iop = make_agreement()
    bris_manager = make_user(Role.OPERATIONS_MANAGER, first_name="Vera", last_name="Ansvarigsdotter")
    bris_leader = make_user(Role.GROUP_LEADER, first_name="Greta", last_name="Ledarsson")
    bris_group = make_group(agreement=iop, leaders=[bris_leader], manager=bris_manager, name="Bris måndagsgrupp")
    referral = make_referral(first_name="Majken", last_name="Hemligsson", agreement=iop)
    group_place_child(group=bris_group, referral=referral, placed_by=bris_manager)
    publish(bris_group)
    hidden = make_group(agreement=iop, leaders=[bris_leader], manager=bris_manager, name="Opublicerad grupp", weekday=2)
    _provider, grant, manager, leader = make_provider_world()
    leader.first_name, leader.last_name = "Ebba", "Gruppledarsson"
    leader.save()
    children = make_group(
        agreement=grant, leaders=[leader], manager=manager, name="CAP-gruppen", min_age=7, max_age=12, weekday=1
    )
    farsta = District.objects.get(name="Farsta")
    publish(children, district=farsta, public_description="Samtalsgrupp för barn.", how_to_join="Ring oss.")
    parents = make_group(
        agreement=grant, leaders=[leader], manager=manager, name="CAP föräldrar", min_age=7, max_age=12, weekday=3
    )
    publish(parents, audience="parents", parallel_to=children, district=farsta)
    parent_register(
        group=parents,
        name="Petra Föräldrasson",
        contact="070-123 45 67",
        accompanies=children,
        consent_on=parents.created_at.date(),
        by=manager,
    )
    return {
        "referral": referral,
        "bris_group": bris_group,
        "hidden": hidden,
        "children": children,
        "parents": parents,
        "names": [
            "Majken",
            "Hemligsson",
            "Greta",
            "Ledarsson",
            "Vera",
            "Ansvarigsdotter",
            "Ebba",
            "Gruppledarsson",
            "Petra",
            "Föräldrasson",
        ],
        "phones": ["070-123 45 67", "0701234567"],
    }


def _identity_numbers(text):
    return re.findall(r"\b(?:19|20)?\d{6}[-+]?\d{4}\b", text)


def test_the_public_page_lists_every_providers_published_groups_without_login(client, city_of_groups):
    response = client.get(reverse("coordination:public_list"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Bris måndagsgrupp", "CAP-gruppen", "CAP föräldrar"):
        assert name in page
    assert "Opublicerad grupp" not in page
    assert "Ersta diakoni, Vändpunkten" in page and "Barnens rätt i samhället" in page
    assert "Barn till föräldrar med missbruk" in page and "Familjehemsplacerade barn" in page
    assert "parallellt med CAP-gruppen" in page
    assert "Ring oss." in page and "Samtalsgrupp för barn." in page
    assert "Platser finns" in page
    # The IOP is entered through social services; the others through the form.
    assert "Barnets socialsekreterare anmäler barnet" in page
    assert "ungdomar från 15 år" in page


def test_no_name_phone_or_identity_number_of_any_person_reaches_the_page_or_the_feeds(client, city_of_groups):
    world = city_of_groups
    bodies = [
        client.get(reverse("coordination:public_list")).content.decode(),
        client.get(reverse("coordination:public_list"), {"malgrupp": "parental_substance_misuse"}).content.decode(),
        client.get(reverse("coordination:hsds")).content.decode(),
    ]
    for group in (world["bris_group"], world["children"], world["parents"]):
        bodies.append(
            client.get(reverse("coordination:group_ical", kwargs={"public_id": group.public_id})).content.decode()
        )
    identity = world["referral"].child.identity_number
    for body in bodies:
        for word in world["names"]:
            assert word not in body
        for phone in world["phones"]:
            assert phone not in body
        assert identity not in body and identity.replace("-", "") not in body
        assert _identity_numbers(body) == []


def test_availability_is_a_word_never_a_count(client, city_of_groups, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    world = city_of_groups
    bris = world["bris_group"]
    manager = make_user(Role.OPERATIONS_MANAGER)
    # Bris' group holds 8: one placed, then five more leave two places, then the last two make it full.
    for number in range(5):
        group_place_child(
            group=bris, referral=make_referral(first_name=f"Barn{number}", agreement=bris.agreement), placed_by=manager
        )
    page = client.get(reverse("coordination:public_list")).content.decode()
    card = page.split('id="grupp-' + str(bris.public_id))[1].split("</li>")[0]
    assert "Få platser" in card
    for number in range(2):
        group_place_child(
            group=bris, referral=make_referral(first_name=f"Fler{number}", agreement=bris.agreement), placed_by=manager
        )
    card = (
        client.get(reverse("coordination:public_list"))
        .content.decode()
        .split('id="grupp-' + str(bris.public_id))[1]
        .split("</li>")[0]
    )
    assert "Fullt" in card and "Anmäl intresse" not in card
    assert not re.search(r"\b[0-8] (av|platser|lediga)\b", card)


def test_filters_by_target_group_age_district_and_term(client, city_of_groups):
    url = reverse("coordination:public_list")
    page = client.get(url, {"malgrupp": "parental_substance_misuse"}).content.decode()
    assert "CAP-gruppen" in page and "Bris måndagsgrupp" not in page
    page = client.get(url, {"alder": "15"}).content.decode()
    assert "Bris måndagsgrupp" in page and "CAP-gruppen" not in page
    bromma = District.objects.get(name="Bromma")
    page = client.get(url, {"stadsdel": str(bromma.pk)}).content.decode()
    assert "CAP-gruppen" not in page and "Bris måndagsgrupp" in page  # Bris' group is for the whole city
    start = city_of_groups["children"].starts_on
    term = f"{start.year}-{'spring' if start.month <= 6 else 'autumn'}"
    other = f"{start.year + 3}-spring"
    assert "CAP-gruppen" in client.get(url, {"termin": term}).content.decode()
    # A term outside the offered ones is not a valid choice: the filter is ignored, never echoed.
    assert other not in client.get(url, {"termin": other}).content.decode()


def test_the_page_is_cached_and_a_publication_change_shows_at_once(
    client, city_of_groups, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    url = reverse("coordination:public_list")
    client.get(url)
    with django_assert_max_num_queries(1):  # the body and the filter choices come from the cache
        page = client.get(url).content.decode()
    assert "CAP-gruppen" in page
    # The same valid filter however it is written is one cached body, and the form shows it as valid.
    client.get(url, {"alder": "9"})
    with django_assert_max_num_queries(1):
        page = client.get(url, {"alder": "09", "okand": "x"}).content.decode()
    assert 'value="9"' in page and "okand" not in page
    with django_capture_on_commit_callbacks(execute=True):
        publish(city_of_groups["children"], is_published=False)
    assert f'id="grupp-{city_of_groups["children"].public_id}"' not in client.get(url).content.decode()


def test_the_page_speaks_english(client, city_of_groups):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("coordination:public_list")).content.decode()
    assert "Children of parents with substance misuse" in page
    assert 'lang="en"' in page


def test_the_hsds_feed_has_organizations_services_locations_and_schedules(client, city_of_groups):
    data = json.loads(client.get(reverse("coordination:hsds")).content)
    assert data["hsds_version"] == "3.0" and data["total_items"] == 3
    services = {service["name"]: service for service in data["services"]}
    cap = services["CAP-gruppen"]
    organization = next(org for org in data["organizations"] if org["id"] == cap["organization_id"])
    assert organization["name"] == "Ersta diakoni, Vändpunkten"
    assert (cap["minimum_age"], cap["maximum_age"], cap["x_target_group"]) == (7, 12, "parental_substance_misuse")
    assert cap["x_availability"] == "available"
    assert len([s for s in data["schedules"] if s["service_id"] == cap["id"]]) == 8


def test_the_icalendar_of_a_group_and_404_for_an_unpublished_one(client, city_of_groups):
    body = client.get(reverse("coordination:group_ical", kwargs={"public_id": city_of_groups["children"].public_id}))
    events = Calendar.from_ical(body.content).walk("VEVENT")
    assert len(events) == 8 and "CAP-gruppen" in str(events[0]["SUMMARY"])
    hidden = reverse("coordination:group_ical", kwargs={"public_id": city_of_groups["hidden"].public_id})
    assert client.get(hidden).status_code == 404


def test_parents_are_counted_never_named(city_of_groups):
    assert ParentParticipant.objects.filter(group=city_of_groups["parents"]).count() == 1
