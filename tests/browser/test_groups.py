"""Browser flows of the groups app: a Bris manager plans and starts a weekly group, a leader
takes attendance on a phone; axe-core on every groups page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from groups import services
from groups.models import GroupStatus, SupportGroup
from partnership.models import Role
from referrals.models import ChildIdentity
from tests.browser.helpers import PHONE_VIEWPORT, assert_no_axe_violations, sign_in, sign_out
from tests.factories import make_agreement, make_group, make_referral, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agreement():
    today = timezone.localdate()
    # From last year: the group planned below starts two weeks ago, which in January is last year;
    # to the end of next year: other groups start a month ahead, which in December is next year.
    return make_agreement(
        starts_on=today.replace(year=today.year - 1, month=1, day=1),
        ends_on=today.replace(year=today.year + 1, month=12, day=31),
    )


def test_manager_plans_places_visits_and_starts_a_group_then_a_leader_takes_attendance_on_a_phone(
    page: Page, live_server, agreement
):
    manager = make_user(Role.OPERATIONS_MANAGER, first_name="Vera", last_name="Ansvarig")
    leader = make_user(Role.GROUP_LEADER, first_name="Greta", last_name="Ledare")
    children = [make_referral(first_name=name, age=9) for name in ("Alva", "Bo", "Cleo", "Dani", "Edvin")]
    make_referral(first_name="Frida", age=16)  # too old for the group: not suggested

    sign_in(page, live_server.url, manager)
    page.get_by_role("link", name="Grupper").first.click()
    expect(page.get_by_role("heading", name="Grupper")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Planera ny grupp").click()
    assert_no_axe_violations(page)
    # Started two weeks ago so that a meeting has already taken place when the leader arrives.
    first = timezone.localdate() - datetime.timedelta(days=14)
    page.get_by_label("Namn").fill("Onsdagsgruppen")
    page.get_by_label("Veckovis stödgrupp").check()
    page.get_by_label("Lägsta ålder").fill("7")
    page.get_by_label("Högsta ålder").fill("12")
    page.get_by_label("Greta Ledare").check()
    page.get_by_label("Första möjliga datum").fill(first.isoformat())
    page.get_by_label("Veckodag (veckovis grupp)").select_option(str(min(first.weekday(), 4)))
    page.get_by_label("Starttid (veckovis grupp)").fill("16:00")
    page.get_by_role("button", name="Planera gruppen").click()
    expect(page.get_by_text("Gruppen är planerad med 8 träffar.")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Öppna för placering").click()
    expect(page.get_by_text("Gruppen är öppen för placering.")).to_be_visible()
    page.get_by_role("link", name="Placera barn från väntelistan").click()
    assert_no_axe_violations(page)
    expect(page.get_by_role("row", name=re.compile("Frida"))).not_to_contain_text("Passar åldern")
    for child in children:
        name = child.child.full_name
        page.get_by_role("button", name=f"Placera {name}").click()
        expect(page.get_by_text("Barnet är placerat i Onsdagsgruppen.")).to_be_visible()
    expect(page.get_by_text("5 av 8 platser tagna.")).to_be_visible()

    page.get_by_role("link", name="Tillbaka till gruppen").click()
    # Starting before the visits is refused, and says why.
    page.get_by_role("button", name="Starta gruppen").click()
    expect(page.get_by_text(re.compile("5 barn i Onsdagsgruppen saknar genomfört besök"))).to_be_visible()
    for index, child in enumerate(children):
        page.get_by_role("link", name=f"Besök {child.child.full_name}").click()
        if index == 0:
            assert_no_axe_violations(page)
        page.get_by_label("Hembesök").check()
        page.get_by_label("Datum").fill((timezone.localdate() - datetime.timedelta(days=20)).isoformat())
        page.get_by_label("Gruppledare").select_option(label="Greta Ledare")
        page.get_by_label("Utfall").fill("Barnet ser fram emot gruppen.")
        page.get_by_role("button", name="Spara besöket").click()
        expect(page.get_by_text("Besöket är sparat.")).to_be_visible()
    page.get_by_role("button", name="Starta gruppen").click()
    expect(page.get_by_text("Gruppen har startat.")).to_be_visible()
    assert SupportGroup.objects.get(name="Onsdagsgruppen").status == GroupStatus.RUNNING
    sign_out(page)

    # The leader, on a phone.
    page.set_viewport_size(PHONE_VIEWPORT)
    sign_in(page, live_server.url, leader)
    page.get_by_role("button", name="Visa meny").click()
    page.get_by_role("link", name="Grupper").first.click()
    page.get_by_role("link", name="Onsdagsgruppen").click()
    page.get_by_role("link", name="Närvaro träff 1").click()
    expect(page.get_by_role("heading", name="Närvaro")).to_be_visible()
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for child in children[1:]:
        page.get_by_role("group", name=child.child.full_name).get_by_label("Närvarande").check()
    alva = page.get_by_role("group", name=children[0].child.full_name)
    alva.get_by_label("Frånvarande").check()
    page.get_by_role("button", name="Spara närvaron").click()
    expect(page.get_by_text("Ange orsak till frånvaron.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("group", name=children[0].child.full_name).get_by_label("Orsak till frånvaro").select_option(
        label="Sjuk"
    )
    page.get_by_role("button", name="Spara närvaron").click()
    expect(page.get_by_text("Närvaron är sparad.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_every_groups_page_is_axe_clean(page: Page, live_server, agreement):
    manager = make_user(Role.OPERATIONS_MANAGER, first_name="Vera", last_name="Ansvarig")
    leader = make_user(Role.GROUP_LEADER, first_name="Greta", last_name="Ledare")
    group = make_group(leaders=[leader], manager=manager, earliest=timezone.localdate() + datetime.timedelta(days=7))
    placement = services.group_place_child(group=group, referral=make_referral(first_name="Ines"), placed_by=manager)
    weekend = make_group(leaders=[leader], manager=manager, format="weekend", name="Höststödhelgen")
    waiting = make_referral(first_name="Jonna")
    services.calendar_token_get_or_create(user=manager)
    sign_in(page, live_server.url, manager)
    base = live_server.url
    paths = [
        "/grupper/vantelista/",
        f"/grupper/vantelista/{waiting.public_id}/flytta/",
        "/grupper/kalender/",
        f"/grupper/{group.public_id}/stall-in/",
        f"/grupper/{group.public_id}/avsluta/",
        f"/grupper/{group.public_id}/placeringar/{placement.pk}/ta-bort/",
        f"/grupper/{group.public_id}/traffar/{group.meetings.first().pk}/flytta/",
        f"/grupper/{weekend.public_id}/dela/",
        f"/grupper/{weekend.public_id}/",
        "/",
    ]
    for path in paths:
        page.goto(base + path)
        expect(page.locator("h1")).to_be_visible()
        assert_no_axe_violations(page)
    expect(page.get_by_role("heading", name=re.compile("Årsmål"))).to_be_visible()
    page.set_viewport_size(PHONE_VIEWPORT)
    for path in ("/grupper/kalender/", "/grupper/vantelista/", f"/grupper/{group.public_id}/"):
        page.goto(base + path)
        assert_no_axe_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_a_manager_opens_a_crowded_day_of_the_calendar_at_phone_width(page: Page, live_server, agreement):
    manager = make_user(Role.OPERATIONS_MANAGER)
    leader = make_user(Role.GROUP_LEADER)
    group = make_group(leaders=[leader], manager=manager, name="Tisdagsgruppen")
    day = timezone.localdate() + datetime.timedelta(days=3)
    day += datetime.timedelta(days=1 if day.weekday() == 0 else 0)  # the group meets on Mondays
    for hour in range(9, 17):
        starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        group.meetings.create(starts_at=starts_at, ends_at=starts_at + datetime.timedelta(minutes=45))
    page.set_viewport_size(PHONE_VIEWPORT)
    sign_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/grupper/kalender/?manad={day:%Y-%m}")
    more = page.get_by_role("link", name=re.compile(r"^och 3 till"))
    expect(more).to_be_visible()
    more.click()
    listed = page.locator("#dagen").get_by_role("link", name=re.compile("Tisdagsgruppen"))
    expect(listed).to_have_count(8)
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_leader_records_a_foster_familys_yes_to_meeting_reminders_on_a_phone(page: Page, live_server, agreement):

    manager = make_user(Role.OPERATIONS_MANAGER)
    leader = make_user(Role.GROUP_LEADER, first_name="Greta", last_name="Ledare")
    group = make_group(leaders=[leader], manager=manager, name="Onsdagsgruppen")
    with_email = services.group_place_child(group=group, referral=make_referral(first_name="Ines"), placed_by=manager)
    without = services.group_place_child(group=group, referral=make_referral(first_name="Jonna"), placed_by=manager)
    ChildIdentity.objects.filter(referral=with_email.referral).update(foster_email="ek@familj.example.se")

    page.set_viewport_size(PHONE_VIEWPORT)
    sign_in(page, live_server.url, leader)
    page.goto(f"{live_server.url}/grupper/{group.public_id}/")
    page.get_by_role("link", name=f"Nej – ändra för {without.referral.child.full_name}").click()
    expect(page.get_by_text("Saknas i anmälan")).to_be_visible()
    page.get_by_label("Familjehemmet vill ha ett mejl dagen före varje träff").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Familjehemmet har ingen e-postadress i anmälan.")).to_be_visible()
    expect(page.get_by_label("Familjehemmet vill ha ett mejl dagen före varje träff")).to_be_checked()
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/grupper/{group.public_id}/")
    page.get_by_role("link", name=f"Nej – ändra för {with_email.referral.child.full_name}").click()
    expect(page.get_by_text("ek@familj.example.se")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Familjehemmet vill ha ett mejl dagen före varje träff").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Familjehemmet får ett mejl dagen före varje träff.")).to_be_visible()
    expect(page.get_by_role("link", name=f"Ja – ändra för {with_email.referral.child.full_name}")).to_be_visible()
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with_email.refresh_from_db()
    without.refresh_from_db()
    assert with_email.family_reminders_since is not None and without.family_reminders_since is None
