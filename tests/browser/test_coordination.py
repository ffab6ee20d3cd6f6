"""The coordination's "done when" path, in Chromium with axe on every page: the coordinator sets
up a new provider in the app and invites its operations manager, who chooses a password through
the mailed link, enrols an authenticator with the coordinator's code, and publishes a children's
and a parents' group; a custodian finds the group on the public page at phone width and registers
interest; the provider's staff take it up, record the custodian's consent and place the child;
another provider's staff get 404 for it. The first test starts from a provider made by the
factories and covers the same intake for a group leader."""

import base64
import datetime
import re
import time

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import Browser, Page, expect

from coordination.models import Participant, ParticipantAttendance, ParticipantVisit, PublicInterest
from coordination.services import participant_place
from groups.models import SupportGroup
from groups.services import group_start
from partnership.models import Agreement, District, Organisation, Role
from tests.browser.helpers import PHONE_VIEWPORT, assert_no_axe_violations, sign_in, sign_out
from tests.coordination.factories import make_provider, make_provider_user, make_provider_world, publish
from tests.factories import make_agreement, make_group, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city():
    today = timezone.localdate()
    make_agreement(starts_on=today - datetime.timedelta(days=100), ends_on=today + datetime.timedelta(days=600))
    _provider, grant, manager, leader = make_provider_world()
    children = make_group(agreement=grant, leaders=[leader], manager=manager, name="CAP-gruppen", min_age=7, max_age=12)
    farsta = District.objects.get(name="Farsta")
    publish(children, district=farsta, public_description="Samtal, lek och skapande.")
    parents = make_group(
        agreement=grant, leaders=[manager], manager=manager, name="CAP föräldrar", min_age=7, max_age=12, weekday=2
    )
    publish(parents, audience="parents", parallel_to=children, district=farsta)
    other = make_provider(name="Schizofreniförbundet, Källan", short_name="Källan")
    return {"leader": leader, "children": children, "other": make_provider_user(Role.OPERATIONS_MANAGER, other)}


def test_a_custodian_registers_interest_and_the_provider_places_the_child(page: Page, live_server, city):
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(f"{live_server.url}/stodgrupper/")
    expect(page.get_by_role("heading", name="Stödgrupper för barn, unga och föräldrar i Stockholm")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Målgrupp").select_option(label="Barn till föräldrar med missbruk")
    page.get_by_label("Barnets ålder").fill("9")
    page.get_by_role("button", name="Visa grupper").click()
    card = page.locator(f"#grupp-{city['children'].public_id}")
    expect(card.get_by_role("heading", name="CAP-gruppen")).to_be_visible()
    expect(card.get_by_text("Platser finns")).to_be_visible()
    expect(page.get_by_text("parallellt med CAP-gruppen")).to_be_visible()
    assert_no_axe_violations(page)

    card.get_by_role("link", name="Anmäl intresse för CAP-gruppen").click()
    expect(page.get_by_role("heading", name="Anmäl intresse för en stödgrupp")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Vårdnadshavare").check()
    page.get_by_label("Barnets förnamn").fill("Ida")
    page.get_by_label("Barnets ålder").fill("9")
    page.get_by_label("Stadsdel där barnet bor").select_option(label="Farsta")
    expect(page.get_by_label("Vad gäller det?")).to_have_value(str(city["children"].agreement.target_group.pk))
    page.get_by_label("Ditt namn").fill("Anna Andersson")
    page.get_by_label("Telefon eller e-post").fill("anna@example.se")
    page.get_by_label("Nej").check()
    page.get_by_role("button", name="Skicka intresseanmälan").click()
    expect(page.get_by_role("heading", name="Tack för din intresseanmälan")).to_be_visible()
    interest = PublicInterest.objects.get()
    expect(page.get_by_text(interest.receipt_number)).to_be_visible()
    expect(page.get_by_text("1 verksamhet som har en grupp som kan passa")).to_be_visible()
    assert_no_axe_violations(page)

    # The provider's group leader takes it up, records the consent and places the child.
    sign_in(page, live_server.url, city["leader"])
    page.goto(f"{live_server.url}/samordning/intresseanmalningar/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name=interest.receipt_number).click()
    expect(page.get_by_text("Anna Andersson, anna@example.se")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Ta om hand").click()
    expect(page.get_by_text("Registrera samtycket och placera barnet").first).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Grupp").select_option(label="CAP-gruppen")
    page.get_by_label("Samtycket lämnades").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Registrera samtycket och placera barnet").click()
    expect(page.get_by_role("heading", name="Deltagare i CAP-gruppen")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Ida")).to_be_visible()
    assert_no_axe_violations(page)
    assert Participant.objects.get().group == city["children"]

    # Another provider never sees the child or the interest.
    page.context.clear_cookies()
    sign_in(page, live_server.url, city["other"])
    for path in (
        f"/samordning/intresseanmalningar/{interest.public_id}/",
        f"/samordning/grupper/{city['children'].public_id}/deltagare/",
        f"/grupper/{city['children'].public_id}/",
    ):
        assert page.goto(f"{live_server.url}{path}").status == 404
    page.goto(f"{live_server.url}/samordning/intresseanmalningar/")
    expect(page.get_by_text(interest.receipt_number)).to_have_count(0)
    assert_no_axe_violations(page)


def _no_sideways_scrolling(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _plan_weekly_group(page: Page, *, name: str, first: datetime.date, start: str, leader: str) -> None:
    page.get_by_role("link", name="Grupper").first.click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Planera ny grupp").click()
    assert_no_axe_violations(page)
    page.get_by_label("Namn").fill(name)
    page.get_by_label("Veckovis stödgrupp").check()
    page.get_by_label("Lägsta ålder").fill("7")
    page.get_by_label("Högsta ålder").fill("12")
    page.get_by_label(leader).check()
    page.get_by_label("Första möjliga datum").fill(first.isoformat())
    page.get_by_label("Veckodag (veckovis grupp)").select_option(str(min(first.weekday(), 4)))
    page.get_by_label("Starttid (veckovis grupp)").fill(start)
    page.get_by_role("button", name="Planera gruppen").click()
    expect(page.get_by_text("Gruppen är planerad med 8 träffar.")).to_be_visible()
    assert_no_axe_violations(page)


def _publish(page: Page, *, audience: str, district: str, description: str, parallel_to: str = "") -> None:
    page.get_by_role("link", name="Visa på den öppna sidan").click()
    assert_no_axe_violations(page)
    page.get_by_label("För vem").select_option(label=audience)
    if parallel_to:
        page.get_by_label("Parallell med (barngruppen)").select_option(label=parallel_to)
    page.get_by_label("Område").select_option(label=district)
    page.get_by_label("Visas på den öppna sidan").check()
    page.get_by_label("Beskrivning för allmänheten").fill(description)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Uppgifterna för den öppna sidan är sparade.")).to_be_visible()
    assert_no_axe_violations(page)


def _invitation_link(username: str) -> str:
    """The password link of the invitation mail (sent by the background job once the invitation
    was saved; eager in the tests, so by the time the page answered)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if username in message.body:
                return re.search(r"https?://\S+/konto/valj-losenord/\S+/", message.body).group(0)
        time.sleep(0.1)
    raise AssertionError("the invitation mail was not sent")


def test_the_coordinator_sets_up_a_provider_whose_group_a_custodian_finds_and_joins(
    page: Page, live_server, browser: Browser, browser_context_args
):
    today = timezone.localdate()
    coordinator = make_user(Role.COORDINATOR, first_name="Sara", last_name="Samordnare")
    kallan = make_provider(name="Schizofreniförbundet, Källan", short_name="Källan")
    other = make_provider_user(Role.OPERATIONS_MANAGER, kallan)

    # --- The coordinator sets the provider up: organisation, arrangement, first account ------
    sign_in(page, live_server.url, coordinator)
    page.get_by_role("link", name="Utförare").click()
    expect(page.get_by_role("heading", name="Utförare")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Lägg upp en utförare").click()
    expect(page.get_by_role("heading", name="Lägg upp en utförare")).to_be_visible()
    assert_no_axe_violations(page)
    # Nothing filled in: clear errors beside the fields, nothing saved.
    page.get_by_role("button", name="Spara och gå vidare till samverkansformen").click()
    expect(page.get_by_text("Välj minst en målgrupp.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Organisationens namn").fill("Svenska kyrkan i Farsta, Humlan")
    page.get_by_label("Kortnamn (valfritt)").fill("Humlan")
    page.get_by_label("Idéburen organisation", exact=True).check()
    page.get_by_label("Barn som upplevt våld i familjen").check()
    page.get_by_label("Verksamhetsstöd", exact=True).check()
    page.get_by_label("Allmän e-post (valfritt)").fill("humlan@example.se")
    page.get_by_role("button", name="Spara och gå vidare till samverkansformen").click()

    # The arrangement, on finance's agreement page: this provider and its target group offered.
    expect(page.get_by_role("heading", name="Ny överenskommelse")).to_be_visible()
    expect(page.get_by_text("Svenska kyrkan i Farsta, Humlan är upplagd.")).to_be_visible()
    assert_no_axe_violations(page)
    humlan = Organisation.objects.get(short_name="Humlan")
    expect(page.get_by_label("Mottagare av verksamhetsstödet")).to_have_value(str(humlan.pk))
    page.get_by_label("Gäller från").fill((today - datetime.timedelta(days=30)).isoformat())
    page.get_by_label("Gäller till").fill((today + datetime.timedelta(days=700)).isoformat())
    page.get_by_label("Verksamhetsstöd per år (kr)").fill("300 000")
    page.get_by_role("button", name="Spara överenskommelsen").click()
    expect(page.get_by_role("heading", name="Svenska kyrkan i Farsta, Humlan")).to_be_visible()
    expect(page.get_by_text("Verksamhetsstöd per år: 300 000,00 kr")).to_be_visible()
    assert_no_axe_violations(page)
    assert Agreement.objects.get(provider=humlan).kind == "operating_grant"

    page.get_by_role("link", name="Bjud in verksamhetsansvarig").click()
    expect(page.get_by_role("heading", name="Bjud in verksamhetsansvarig")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Förnamn").fill("Hugo")
    page.get_by_label("Efternamn").fill("Humla")
    page.get_by_label("E-post").fill("hugo.humla@example.se")
    page.get_by_label("Användarnamn").fill("hugo.humla")
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.get_by_role("heading", name="Inbjudan är skickad")).to_be_visible()
    assert_no_axe_violations(page)
    code = page.locator("#enrolment-code").inner_text()
    link = _invitation_link("hugo.humla")
    sign_out(page)

    # --- The operations manager chooses a password and enrols an authenticator ---------------
    page.goto(link.replace("http://testserver", live_server.url))
    expect(page.get_by_role("heading", name="Välj ditt lösenord")).to_be_visible()
    assert_no_axe_violations(page)
    # Case-sensitive: the first field only, not "Bekräfta nytt lösenord".
    page.get_by_label(re.compile("Nytt lösenord")).fill("humlor-flyger-i-farsta")
    page.get_by_label("Bekräfta nytt lösenord").fill("humlor-flyger-i-farsta")
    page.get_by_role("button", name="Spara lösenordet").click()
    expect(page.get_by_text("Ditt lösenord är sparat.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Användarnamn").fill("hugo.humla")
    page.get_by_label("Lösenord").fill("humlor-flyger-i-farsta")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Aktivera tvåstegsverifiering")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Aktiveringskod").fill(code)
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_role("img", name="QR-kod för autentiseringsappen")).to_be_visible()
    assert_no_axe_violations(page)
    secret = page.locator(".text-secret").inner_text()
    app = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    page.get_by_label("Engångskod").fill(f"{app.token():06d}")
    page.get_by_role("button", name="Aktivera").click()
    expect(page.get_by_role("heading", name="Att göra")).to_be_visible()
    assert_no_axe_violations(page)

    # --- ...and publishes a children's group and a parents' group beside it ----------------
    first = today + datetime.timedelta(days=14)
    _plan_weekly_group(page, name="Humlan barn", first=first, start="16:00", leader="Hugo Humla")
    _publish(page, audience="Barngrupp", district="Farsta", description="Samtal och lek i små grupper.")
    _plan_weekly_group(page, name="Humlan föräldrar", first=first, start="18:30", leader="Hugo Humla")
    _publish(
        page,
        audience="Föräldragrupp",
        district="Farsta",
        description="För föräldrarna medan barnen har sin grupp.",
        parallel_to="Humlan barn",
    )
    children = SupportGroup.objects.get(name="Humlan barn")
    assert SupportGroup.objects.get(name="Humlan föräldrar").parallel_to == children

    # --- A custodian finds the group on the public page at phone width ----------------------
    phone = browser.new_context(**{**browser_context_args, "viewport": PHONE_VIEWPORT})
    custodian = phone.new_page()
    custodian.goto(f"{live_server.url}/stodgrupper/")
    assert_no_axe_violations(custodian)
    custodian.get_by_label("Målgrupp").select_option(label="Barn som upplevt våld i familjen")
    custodian.get_by_label("Barnets ålder").fill("9")
    custodian.get_by_role("button", name="Visa grupper").click()
    card = custodian.locator(f"#grupp-{children.public_id}")
    expect(card.get_by_role("heading", name="Humlan barn")).to_be_visible()
    expect(card.get_by_text("Platser finns")).to_be_visible()
    expect(custodian.get_by_text("parallellt med Humlan barn")).to_be_visible()
    assert _no_sideways_scrolling(custodian)
    assert_no_axe_violations(custodian)
    card.get_by_role("link", name="Anmäl intresse för Humlan barn").click()
    expect(custodian.get_by_role("heading", name="Anmäl intresse för en stödgrupp")).to_be_visible()
    assert_no_axe_violations(custodian)
    custodian.get_by_label("Vårdnadshavare").check()
    custodian.get_by_label("Barnets förnamn").fill("Ida")
    custodian.get_by_label("Barnets ålder").fill("9")
    custodian.get_by_label("Stadsdel där barnet bor").select_option(label="Farsta")
    custodian.get_by_label("Ditt namn").fill("Anna Andersson")
    custodian.get_by_label("Telefon eller e-post").fill("anna@example.se")
    custodian.get_by_label("Nej").check()
    custodian.get_by_role("button", name="Skicka intresseanmälan").click()
    expect(custodian.get_by_role("heading", name="Tack för din intresseanmälan")).to_be_visible()
    interest = PublicInterest.objects.get()
    expect(custodian.get_by_text(interest.receipt_number)).to_be_visible()
    expect(custodian.get_by_text("1 verksamhet som har en grupp som kan passa")).to_be_visible()
    assert _no_sideways_scrolling(custodian)
    assert_no_axe_violations(custodian)
    phone.close()
    assert list(interest.routed_to.all()) == [humlan]

    # --- The provider's manager takes it up, records the consent and places the child -------
    page.get_by_role("link", name="Intresse från allmänheten").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name=interest.receipt_number).click()
    expect(page.get_by_text("Anna Andersson, anna@example.se")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Ta om hand").click()
    expect(page.get_by_text("Registrera samtycket och placera barnet").first).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Grupp").select_option(label="Humlan barn")
    page.get_by_label("Samtycket lämnades").fill(today.isoformat())
    page.get_by_role("button", name="Registrera samtycket och placera barnet").click()
    expect(page.get_by_role("heading", name="Deltagare i Humlan barn")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Ida")).to_be_visible()
    assert_no_axe_violations(page)
    assert Participant.objects.get().group == children

    # --- Another provider's staff never see the child, the interest or the group -------------
    elsewhere = browser.new_context(**browser_context_args).new_page()
    sign_in(elsewhere, live_server.url, other)
    for path in (
        f"/samordning/intresseanmalningar/{interest.public_id}/",
        f"/samordning/grupper/{children.public_id}/deltagare/",
        f"/grupper/{children.public_id}/",
    ):
        assert elsewhere.goto(f"{live_server.url}{path}").status == 404
    elsewhere.goto(f"{live_server.url}/samordning/intresseanmalningar/")
    expect(elsewhere.get_by_text(interest.receipt_number)).to_have_count(0)
    assert_no_axe_violations(elsewhere)
    elsewhere.context.close()


def test_the_providers_leader_records_attendance_of_the_groups_participants(page: Page, live_server):
    """A provider outside the IOP: its group leader finds the meeting's attendance from the group
    page at phone width, is told beside the field that an absence needs a reason, and saves it.
    Another provider gets 404 for the page."""
    make_agreement()
    _provider, grant, manager, leader = make_provider_world()
    group = make_group(
        agreement=grant,
        leaders=[leader],
        manager=manager,
        name="CAP-gruppen",
        min_age=7,
        max_age=12,
        earliest=timezone.localdate() - datetime.timedelta(days=20),
    )
    for name in ("Alma", "Ture", "Vera", "Otto", "Siri"):
        participant_place(
            group=group,
            interest=None,
            child_first_name=name,
            child_age=9,
            custodian_name=f"Vårdnadshavare till {name}",
            custodian_contact="070-000 00 00",
            consent_on=timezone.localdate() - datetime.timedelta(days=30),
            consent_how="written",
            by=manager,
        )
    group = group_start(group=group, by=manager)
    meeting = group.meetings.order_by("starts_at").first()

    page.set_viewport_size(PHONE_VIEWPORT)
    sign_in(page, live_server.url, leader)
    page.goto(f"{live_server.url}/grupper/{group.public_id}/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Närvaro (deltagare) träff 1").click()
    expect(page.get_by_role("heading", name="Närvaro för deltagarna")).to_be_visible()
    assert_no_axe_violations(page)
    for name in ("Alma", "Ture", "Vera", "Siri"):
        page.get_by_role("group", name=name).get_by_label("Närvarande").check()
    otto = page.get_by_role("group", name="Otto")
    otto.get_by_label("Frånvarande").check()
    otto.get_by_label("Kommentar").fill("Ringde på morgonen")
    page.get_by_role("button", name="Spara närvaron").click()
    expect(otto.get_by_text("Ange orsak till frånvaron.")).to_be_visible()
    expect(otto.get_by_label("Kommentar")).to_have_value("Ringde på morgonen")  # input kept
    assert not ParticipantAttendance.objects.exists()
    assert_no_axe_violations(page)
    otto.get_by_label("Orsak till frånvaro").select_option(label="Sjuk")
    page.get_by_role("button", name="Spara närvaron").click()
    expect(page.get_by_text("Närvaron är sparad.")).to_be_visible()
    assert _no_sideways_scrolling(page)
    assert_no_axe_violations(page)
    records = ParticipantAttendance.objects.filter(meeting=meeting)
    assert records.filter(present=True).count() == 4
    absent = records.get(present=False)
    assert (absent.participant.child_first_name, absent.absence_reason, absent.note) == (
        "Otto",
        "ill",
        "Ringde på morgonen",
    )

    # Another provider's manager: the page does not exist.
    page.context.clear_cookies()
    other = make_provider_user(Role.OPERATIONS_MANAGER, make_provider(name="Schizofreniförbundet, Källan"))
    sign_in(page, live_server.url, other)
    url = f"{live_server.url}/samordning/grupper/{group.public_id}/traffar/{meeting.pk}/narvaro/"
    assert page.goto(url).status == 404


def test_the_providers_leader_records_a_participants_visit_before_the_group(page: Page, live_server):
    """The contact before the group, from the participants page, at phone width with axe."""
    make_agreement()
    _provider, grant, manager, leader = make_provider_world()
    group = make_group(agreement=grant, leaders=[leader], manager=manager, name="CAP-gruppen", min_age=7, max_age=12)
    alma = participant_place(
        group=group,
        interest=None,
        child_first_name="Alma",
        child_age=9,
        custodian_name="Anna",
        custodian_contact="070",
        consent_on=timezone.localdate(),
        consent_how="written",
        by=manager,
    )
    page.set_viewport_size(PHONE_VIEWPORT)
    sign_in(page, live_server.url, leader)
    page.goto(f"{live_server.url}/grupper/{group.public_id}/")
    page.get_by_role("link", name="Deltagare med vårdnadshavares samtycke").click()
    expect(page.get_by_role("rowheader", name="Alma")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Besök Alma").click()
    expect(page.get_by_role("heading", name="Besök före gruppstart: Alma")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Undantag (skriftligt motiverat)").check()
    page.get_by_role("button", name="Spara besöket").click()
    expect(page.get_by_text("Skriv varför barnet börjar utan besök före gruppstart.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Motivering för undantag").fill("Familjen har redan träffat oss i en tidigare grupp.")
    page.get_by_role("button", name="Spara besöket").click()
    expect(page.get_by_text("Besöket är sparat.")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Undantag"))).to_be_visible()
    assert_no_axe_violations(page)
    assert ParticipantVisit.objects.get(participant=alma).kind == "exception"
