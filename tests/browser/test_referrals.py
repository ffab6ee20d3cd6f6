"""The referral and consent flows as people use them, in Chromium, with axe on every page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from partnership.models import Role
from referrals.models import Referral, ReferralStatus
from tests.browser.helpers import PHONE_VIEWPORT, assert_no_axe_violations, sign_in, sign_out
from tests.factories import identity_number_for, make_agreement, make_referral, make_user, shift_years

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def planned_start() -> datetime.date:
    # Read when the test runs, not when the module is imported (a run may cross midnight).
    return timezone.localdate() + datetime.timedelta(days=45)


@pytest.fixture
def agreement():
    today = timezone.localdate()
    return make_agreement(starts_on=today - datetime.timedelta(days=100), ends_on=today + datetime.timedelta(days=600))


def fill_child_and_foster_home(page: Page, *, first_name: str, last_name: str, age: int) -> str:
    birth_date = shift_years(planned_start(), -age) - datetime.timedelta(days=20)
    number = identity_number_for(birth_date)
    page.get_by_label("Förnamn").fill(first_name)
    page.get_by_label("Efternamn").fill(last_name)
    page.get_by_label("Personnummer eller samordningsnummer").fill(number)
    page.locator("#id_foster_home_name").fill("Familjen Ek")
    page.get_by_label("Kontaktperson i familjehemmet").fill("Eva Ek")
    page.get_by_label("Familjehemmets telefon").fill("070-123 45 67")
    page.get_by_label("Önskad start").fill(planned_start().isoformat())
    page.get_by_label("Språk och tolkbehov").fill("Svenska")
    return number


def test_a_sol_referral_with_both_consents_is_then_seen_by_bris(page: Page, live_server, agreement):
    social_worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    sign_in(page, live_server.url, social_worker)
    page.goto(f"{live_server.url}/anmalningar/ny/")
    assert_no_axe_violations(page)

    # A first attempt with a wrong check digit: the error is beside the field, the input kept.
    number = fill_child_and_foster_home(page, first_name="Vera", last_name="Lund", age=11)
    page.get_by_label("Personnummer eller samordningsnummer").fill(number[:-1] + str((int(number[-1]) + 1) % 10))
    page.get_by_label("SoL (frivillig placering)").check()
    page.locator("#id_custody").select_option(label="Gemensam vårdnad")
    page.locator("#id_guardians-0-name").fill("Maria Lund")
    page.locator("#id_guardians-1-name").fill("Johan Lund")
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.get_by_text("kontrollsiffran eller datumet stämmer inte")).to_be_visible()
    expect(page.get_by_label("Förnamn")).to_have_value("Vera")
    expect(page.locator("#id_guardians-1-name")).to_have_value("Johan Lund")
    assert_no_axe_violations(page)
    assert not Referral.objects.exists()

    page.get_by_label("Personnummer eller samordningsnummer").fill(number)
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.get_by_text("Anmälan är registrerad med pseudonymen")).to_be_visible()
    expect(page.get_by_text("Samtycke saknas från Maria Lund.")).to_be_visible()
    assert number not in page.title()
    assert number not in page.url
    assert_no_axe_violations(page)

    for guardian in ("Maria Lund", "Johan Lund"):
        page.get_by_role("link", name=f"Registrera samtycke från {guardian}").click()
        assert_no_axe_violations(page)
        page.get_by_label("Datum för samtycket").fill(timezone.localdate().isoformat())
        page.get_by_label("Hur samtycket inhämtades").select_option(label="Vid möte")
        page.get_by_label("Information som vårdnadshavaren fått om verksamheten").fill(
            "Muntlig och skriftlig information om stödgruppen."
        )
        page.get_by_role("button", name="Registrera samtycke").click()
        expect(page.get_by_text(f"Samtycket från {guardian} är registrerat.")).to_be_visible()
    expect(page.get_by_text("Klart: Bris får ta del av barnets uppgifter")).to_be_visible()
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.READY

    sign_out(page)
    sign_in(page, live_server.url, make_user(Role.OPERATIONS_MANAGER))
    page.goto(f"{live_server.url}/anmalningar/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Vera Lund").click()
    expect(page.get_by_role("heading", name="Vera Lund")).to_be_visible()
    expect(page.get_by_text("Familjen Ek")).to_be_visible()
    assert number not in page.content()
    assert_no_axe_violations(page)


def test_an_lvu_referral_needs_no_consent_and_bris_sees_the_child_at_once(page: Page, live_server, agreement):
    sign_in(page, live_server.url, make_user(Role.SOCIAL_WORKER, district_name="Skärholmen"))
    page.goto(f"{live_server.url}/anmalningar/ny/")
    fill_child_and_foster_home(page, first_name="Leo", last_name="Strand", age=14)
    page.get_by_label("LVU (vård utan samtycke)").check()
    page.locator("#id_custody").select_option(label="Särskilt förordnad vårdnadshavare")
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.get_by_text("Ange lagrummet för LVU-vården.")).to_be_visible()
    page.get_by_label("Lagrum för LVU-vården").fill("3 § LVU")
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.get_by_text("Klart: Bris får ta del av barnets uppgifter")).to_be_visible()

    sign_out(page)
    sign_in(page, live_server.url, make_user(Role.GROUP_LEADER))
    page.goto(f"{live_server.url}/anmalningar/")
    page.get_by_role("link", name="Leo Strand").click()
    expect(page.get_by_text("3 § LVU")).to_be_visible()
    assert_no_axe_violations(page)


def test_bris_sees_a_pseudonymised_record_before_consent_and_can_report_a_concern(page: Page, live_server, agreement):
    referral = make_referral(consents=1, first_name="Mira", last_name="Dahl", agreement=agreement)
    sign_in(page, live_server.url, make_user(Role.GROUP_LEADER))
    page.goto(f"{live_server.url}/anmalningar/")
    page.get_by_role("link", name=f"Pseudonym {referral.pseudonym}").click()
    expect(page.get_by_text("Samtycke saknas från 1 av 2 vårdnadshavare.")).to_be_visible()
    assert "Dahl" not in page.content()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Gör en orosanmälan").click()
    assert_no_axe_violations(page)
    page.get_by_label("Vad oron gäller").fill("För kort.")
    page.get_by_role("button", name="Skicka orosanmälan").click()
    expect(page.get_by_label("Vad oron gäller")).to_have_value("För kort.")
    assert_no_axe_violations(page)
    page.get_by_label("Vad oron gäller").fill(
        "Barnet berättade under pausen om att hon är rädd för att åka hem efter helgerna."
    )
    page.get_by_role("button", name="Skicka orosanmälan").click()
    expect(page.get_by_text("Orosanmälan är skickad till stadsdelen och loggad.")).to_be_visible()


def test_withdrawing_consent_at_phone_width_hides_the_child_from_bris(page: Page, live_server, agreement):
    referral = make_referral(first_name="Tea", last_name="Falk", agreement=agreement)
    page.set_viewport_size(PHONE_VIEWPORT)
    sign_in(page, live_server.url, referral.submitted_by)
    page.goto(f"{live_server.url}/anmalningar/{referral.public_id}/")
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Återkalla").first.click()
    assert_no_axe_violations(page)
    page.get_by_label("Orsak").fill("Vårdnadshavaren vill inte längre att barnet deltar.")
    page.get_by_role("button", name="Återkalla samtycket").click()
    expect(page.get_by_text("Samtycket är återkallat. Bris kan inte längre se barnet.")).to_be_visible()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN

    # Another person on another phone: a fresh session. (In CI the phone menu's sign-out twice did
    # not navigate here while it did on desktop width and locally; the user switch is not this
    # test's subject, and the other browser tests sign out through the menu.)
    page.context.clear_cookies()
    sign_in(page, live_server.url, make_user(Role.OPERATIONS_MANAGER))
    page.goto(f"{live_server.url}/anmalningar/")
    assert "Falk" not in page.content()
    assert_no_axe_violations(page)


def test_interest_registration_pages_and_the_access_log_pass_axe(page: Page, live_server, agreement):
    make_referral(agreement=agreement)
    sign_in(page, live_server.url, make_user(Role.GROUP_LEADER))
    page.goto(f"{live_server.url}/anmalningar/intresse/ny/")
    assert_no_axe_violations(page)
    page.get_by_label("Barnets stadsdel").select_option(label="Farsta")
    page.get_by_label("Barnets förnamn").fill("Elsa")
    page.get_by_label("Barnets födelseår").fill("2015")
    page.get_by_label("Kontaktperson i familjehemmet").fill("Lisa Familjehem")
    page.get_by_label("Familjehemmets telefon").fill("070-222 33 44")
    page.get_by_role("button", name="Registrera").click()
    expect(page.get_by_text("Intresseanmälan är registrerad")).to_be_visible()
    assert_no_axe_violations(page)

    sign_out(page)
    sign_in(page, live_server.url, make_user(Role.SOCIAL_WORKER, district_name="Farsta"))
    page.goto(f"{live_server.url}/anmalningar/intresse/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Bekräfta").first.click()
    expect(page.get_by_label("Förnamn")).to_have_value("Elsa")
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/anmalningar/intresse/")
    page.get_by_role("link", name="Inte aktuell").first.click()
    assert_no_axe_violations(page)

    sign_out(page)
    sign_in(page, live_server.url, make_user(Role.COORDINATOR))
    page.goto(f"{live_server.url}/samtycke/logg/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Ta stickprov").click()
    assert_no_axe_violations(page)


def test_the_district_finds_a_child_by_personnummer_and_adds_a_custodian(page: Page, live_server, agreement):
    referral = make_referral(guardians=1, first_name="Siri", last_name="Berg", agreement=agreement)
    number = referral.child.identity_number
    sign_in(page, live_server.url, referral.submitted_by)
    page.goto(f"{live_server.url}/anmalningar/")
    assert_no_axe_violations(page)

    # The name search is a GET form: the browser refuses a personnummer there.
    page.get_by_label("Sök namn eller pseudonym").fill(number)
    page.get_by_role("button", name="Filtrera").click()
    assert number not in page.url

    page.locator("#id_identity_number").fill(number)
    page.get_by_role("button", name="Sök", exact=True).click()
    expect(page.get_by_role("heading", name="Siri Berg")).to_be_visible()
    assert page.url.endswith(f"/anmalningar/{referral.public_id}/")
    assert number not in page.url

    page.get_by_role("link", name="Lägg till vårdnadshavare").click()
    assert_no_axe_violations(page)
    page.get_by_label("Vårdnadshavarens namn").fill("Per Berg")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Samtycke saknas från Per Berg.")).to_be_visible()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.AWAITING_CONSENT
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE_VIEWPORT)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
