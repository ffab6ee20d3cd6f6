"""Shared steps for browser tests: sign in through the real form, and run axe-core."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import totp_token
from tests.factories import TEST_PASSWORD, confirmed_totp_device

AXE_SOURCE = (Path(__file__).parent / "axe.min.js").read_text()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE_VIEWPORT = {"width": 375, "height": 740}


def assert_no_axe_violations(page: Page) -> None:
    """Zero WCAG 2.1 AA violations on the page as it is now."""
    # Injected with evaluate, not a <script> tag, because our CSP forbids foreign scripts.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    violations = [
        f"{violation['id']}: {violation['help']} ({[node['target'] for node in violation['nodes']]})"
        for violation in result["violations"]
    ]
    assert violations == [], f"axe violations on {page.url}:\n" + "\n".join(violations)


def sign_out(page: Page) -> None:
    """Sign out from the menu and wait for the login page: signing in again before the sign-out
    has finished would find the old session still there (and the login page sends it home)."""
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_label("Användarnamn")).to_be_visible()


def sign_in(page: Page, base_url: str, user, *, device=None) -> None:
    """Sign in through the login form and the two-factor page, as a person does."""
    device = device or confirmed_totp_device(user)
    page.goto(f"{base_url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Tvåstegsverifiering")).to_be_visible()
    page.get_by_label("Engångskod").fill(totp_token(device))
    page.get_by_role("button", name="Verifiera").click()
    expect(page.get_by_role("heading", name="Att göra")).to_be_visible()
