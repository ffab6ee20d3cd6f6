import pytest
from playwright.sync_api import Page, expect

from partnership.models import Role
from referrals.models import PurgeRecord, Referral, ReturnDossier
from tests.browser.helpers import PHONE_VIEWPORT, assert_no_axe_violations, sign_in
from tests.factories import make_user
from tests.referrals.lifecycle import documented_child

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_manager_purges_from_the_due_list(page: Page, live_server):
    due = documented_child(first_name="Astrid", last_name="Förfallen", ended_days_ago=45).referral
    inside = documented_child(first_name="Bodil", last_name="Inomfristen", ended_days_ago=5).referral
    manager = make_user(Role.OPERATIONS_MANAGER)
    sign_in(page, live_server.url, manager)
    page.get_by_role("link", name="Gallring").click()
    expect(page.get_by_role("heading", name="Gallring och återföring")).to_be_visible()
    expect(page.get_by_role("row", name=due.pseudonym)).to_contain_text("förfallen")
    expect(page.get_by_text("Astrid")).to_have_count(0)
    assert_no_axe_violations(page)

    page.get_by_role("link", name=f"Gallra nu {due.pseudonym}").click()
    # Asked first, naming the pseudonym and what goes; nothing is purged yet.
    expect(page.get_by_role("heading", name=f"Gallra uppgifterna om {due.pseudonym} nu?")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("personnummer")
    assert_no_axe_violations(page)
    page.get_by_role("button", name=f"Gallra {due.pseudonym}").click()
    expect(page.get_by_text("Bekräfta att uppgifterna ska gallras.")).to_be_visible()
    assert not PurgeRecord.objects.exists()
    page.get_by_label("Jag förstår att uppgifterna raderas för gott och inte kan återskapas.").check()
    page.get_by_role("button", name=f"Gallra {due.pseudonym}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Uppgifterna om {due.pseudonym} är gallrade.")
    expect(page.get_by_role("table", name="Senast gallrade")).to_contain_text(due.pseudonym)
    assert PurgeRecord.objects.get().referral_id == due.pk
    assert Referral.objects.get(pk=inside.pk).purged_at is None
    assert_no_axe_violations(page)

    page.set_viewport_size(PHONE_VIEWPORT)
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_manager_returns_and_the_social_worker_downloads_the_dossier(page: Page, live_server, browser):
    documented = documented_child(ended_days_ago=10)
    referral = documented.referral
    sign_in(page, live_server.url, make_user(Role.OPERATIONS_MANAGER))
    page.goto(f"{live_server.url}/anmalningar/gallring/")
    page.get_by_role("button", name=f"Återför {referral.pseudonym}").click()
    expect(page.get_by_role("status")).to_contain_text("återförda")
    expect(page.get_by_role("row", name=referral.pseudonym)).to_contain_text("Väntar på stadsdelen")
    assert_no_axe_violations(page)

    context = browser.new_context(locale="sv-SE", viewport=PHONE_VIEWPORT, accept_downloads=True)
    phone = context.new_page()
    sign_in(phone, live_server.url, referral.submitted_by)
    phone.goto(f"{live_server.url}/anmalningar/aterforda/")
    expect(phone.get_by_role("heading", name="Återförda uppgifter")).to_be_visible()
    expect(phone.get_by_role("row", name=referral.pseudonym)).to_contain_text("Inte hämtad")
    assert_no_axe_violations(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with phone.expect_download() as download:
        phone.get_by_role("link", name=f"Hämta akten för {referral.pseudonym} (PDF)").click()
    assert download.value.suggested_filename == f"aterforing-{referral.pseudonym}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    phone.reload()
    expect(phone.get_by_role("row", name=referral.pseudonym)).not_to_contain_text("Inte hämtad")
    assert ReturnDossier.objects.get().received_by == referral.submitted_by
    context.close()

    page.reload()
    expect(page.get_by_role("row", name=referral.pseudonym)).to_contain_text("Mottagen")
    expect(page.get_by_role("link", name=f"Gallra nu {referral.pseudonym}")).to_be_visible()
