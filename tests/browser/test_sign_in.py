import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from partnership.models import Role
from partnership.services import two_factor_enrolment_code_issue
from tests.browser.helpers import PHONE_VIEWPORT, assert_no_axe_violations, sign_in
from tests.factories import TEST_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_HOME_TEXT = {
    Role.GROUP_LEADER: "Kommande gruppträffar",
    Role.OPERATIONS_MANAGER: "Anmälningar redo för placering",
    Role.SOCIAL_WORKER: "Anmälningar som väntar på samtycke",
    Role.COORDINATOR: "Förskottsbetalningar",
}


def test_login_page_is_accessible(page: Page, live_server):
    page.goto(f"{live_server.url}/konto/logga-in/")
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE_VIEWPORT)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_through_the_form_and_sees_its_home(page: Page, live_server, role):
    user = make_user(role)
    sign_in(page, live_server.url, user)
    expect(page.get_by_role("heading", name=ROLE_HOME_TEXT[role])).to_be_visible()
    assert_no_axe_violations(page)
    # The menu of the role with most pages still fits a laptop screen (it wraps, never scrolls).
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_page_works_at_phone_width(page: Page, live_server):
    page.set_viewport_size(PHONE_VIEWPORT)
    sign_in(page, live_server.url, make_user(Role.SOCIAL_WORKER))
    # The menu collapses behind a button at phone width and opens on demand.
    page.get_by_role("button", name="Visa meny").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_first_sign_in_enrols_an_authenticator_app(page: Page, live_server):
    user = make_user(Role.COORDINATOR)
    code = two_factor_enrolment_code_issue(user=user)
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    # The password alone reaches only the page that asks for the superuser's one-time code.
    expect(page.get_by_role("heading", name="Aktivera tvåstegsverifiering")).to_be_visible()
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE_VIEWPORT)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Aktiveringskod").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_text("Koden stämmer inte, har redan använts")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Aktiveringskod").fill(code)
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_role("img", name="QR-kod för autentiseringsappen")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Engångskod").fill("000000")
    page.get_by_role("button", name="Aktivera").click()
    expect(page.get_by_text("Koden stämmer inte")).to_be_visible()

    # The person types the key shown on the page into their app; we compute what the app shows.
    secret = page.locator(".text-secret").inner_text()
    app = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    # django-otp refuses any code for 1 s after a wrong one; a person retyping takes longer.
    page.wait_for_timeout(1100)
    page.get_by_label("Engångskod").fill(f"{app.token():06d}")
    page.get_by_role("button", name="Aktivera").click()
    expect(page.get_by_role("heading", name="Förskottsbetalningar")).to_be_visible()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_english_can_be_chosen(page: Page, live_server):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt språk").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert_no_axe_violations(page)
