import datetime
import io

import pytest
import time_machine
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from finance import services
from finance.models import AnnualReport, ExternalFee
from groups.models import GroupStatus, SupportGroup
from partnership.jobs import job_run
from partnership.models import BackgroundJob, Role
from tests.browser.helpers import PHONE_VIEWPORT, assert_no_axe_violations, sign_in
from tests.factories import SEED_AGREEMENT_PERIOD, make_agreement, make_referral, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def finance_world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    coordinator = make_user(Role.COORDINATOR, username="ekonomi_samordnare")
    agreement = make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    years = services.budget_years_create(agreement=agreement, by=coordinator)
    year = years[0]
    services.cost_record(
        budget_year=year,
        budget_line=agreement.budget_lines.get(name="Material"),
        spent_on=datetime.date(2017, 3, 1),
        amount_ore=9_000_50,
        description="Pyssel- och skrivmaterial",
        by=coordinator,
    )
    fee = ExternalFee.objects.create(
        agreement=agreement,
        child_key="barn-ta",
        year=2017,
        municipality="Solna stad",
        child_initials="TA",
        child_age=10,
        group_name="Stödhelg maj",
        amount_ore=500_000,
        invoiced_on=datetime.date(2017, 5, 8),
        recorded_by=coordinator,
    )
    # A child referred while the 2017–2018 agreement was in force (only the factory travels in time:
    # the browser keeps the real clock).
    with time_machine.travel(datetime.datetime(2018, 6, 1, 10, tzinfo=datetime.UTC)):
        referral = make_referral(agreement=agreement)
    services.travel_cost_record(
        agreement=agreement,
        referral=referral,
        kind="travel",
        incurred_on=datetime.date(2017, 5, 6),
        amount_ore=340_00,
        description="Tåg",
        by=coordinator,
    )
    return coordinator, agreement, year, fee


def test_coordinator_marks_a_payment_and_downloads_the_annual_report(page: Page, live_server, finance_world):
    coordinator, _agreement, _year, _fee = finance_world
    sign_in(page, live_server.url, coordinator)
    page.get_by_role("link", name="Ekonomi").first.click()
    expect(page.get_by_role("heading", name="Ekonomi", exact=True)).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="2017", exact=True).click()
    expect(page.get_by_role("heading", name="Budgetår 2017")).to_be_visible()
    expect(page.get_by_text("Kostnaderna överstiger budgeten för")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Förskottsbetalningar").click()
    expect(page.get_by_role("heading", name="Förskottsbetalningar 2017")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Markera som betald kvartal 1").click()
    assert_no_axe_violations(page)
    page.get_by_label("Betalningsdatum").fill("2016-12-28")
    page.get_by_label("Referens").fill("VER 2016-118")
    page.get_by_role("button", name="Markera som betald").click()
    expect(page.get_by_text("Betald 2016-12-28, referens VER 2016-118")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Tillbaka till budgetår 2017").click()
    page.get_by_role("link", name="Årlig ekonomisk redovisning").click()
    expect(page.get_by_text("Ingen PDF är skapad än.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Hur avgifterna från andra kommuner återinvesterats").fill("Extra gruppledare på stödhelgen.")
    page.get_by_role("button", name="Skapa PDF").click()
    download_link = page.get_by_role("link", name="Hämta redovisningen (PDF)")
    expect(download_link).to_be_visible(timeout=15_000)
    assert_no_axe_violations(page)
    with page.expect_download() as download_info:
        download_link.click()
    content = open(download_info.value.path(), "rb").read()  # noqa: SIM115 - read once in a test
    assert content.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).replace("\u00a0", " ")
    assert "711 833,00 kr" in text and "177 958,25 kr" in text and "9 000,50 kr" in text
    assert "Extra gruppledare på stödhelgen." in text
    assert AnnualReport.objects.get().job.state == "done"


def _finance_urls(world):
    _coordinator, agreement, year, fee = world
    payment = year.payments.get(quarter=2)
    cost = year.costs.get()
    return [
        f"/ekonomi/kostnader/{cost.public_id}/ta-bort/",
        f"/ekonomi/kostnader/{cost.public_id}/andra/",
        "/ekonomi/",
        f"/ekonomi/ar/{year.public_id}/",
        f"/ekonomi/ar/{year.public_id}/betalningar/",
        f"/ekonomi/betalningar/{payment.public_id}/betald/",
        f"/ekonomi/betalningar/{payment.public_id}/ateroppna/",
        f"/ekonomi/ar/{year.public_id}/kostnader/ny/",
        f"/ekonomi/ar/{year.public_id}/redovisning/",
        f"/ekonomi/ar/{year.public_id}/ateroppna/",
        "/ekonomi/avgifter/",
        f"/ekonomi/avgifter/{fee.public_id}/betald/",
        "/ekonomi/resor/",
        "/ekonomi/resor/ny/",
        f"/ekonomi/overenskommelse/{agreement.public_id}/slutavrakning/?termination_date=2017-06-30",
        "/ekonomi/overenskommelse/ny/",
        f"/ekonomi/overenskommelse/{agreement.public_id}/andra/",
        "/ekonomi/logg/",
    ]


def test_every_finance_page_is_accessible_at_desktop_and_phone_width(page: Page, live_server, finance_world):
    coordinator = finance_world[0]
    sign_in(page, live_server.url, coordinator)
    for width in ("desktop", "phone"):
        if width == "phone":
            page.set_viewport_size(PHONE_VIEWPORT)
        for path in _finance_urls(finance_world):
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            assert_no_axe_violations(page)
            if width == "phone":
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_bad_amount_is_shown_beside_the_field_and_kept(page: Page, live_server, finance_world):
    _coordinator, _agreement, year, _fee = finance_world
    manager = make_user(Role.OPERATIONS_MANAGER)
    sign_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/ekonomi/ar/{year.public_id}/kostnader/ny/")
    page.get_by_label("Datum").fill("2017-04-01")
    page.get_by_label("Belopp (kr)").fill("12,345")
    page.get_by_label("Beskrivning").fill("Fika")
    page.get_by_role("button", name="Registrera kostnad").click()
    expect(page.get_by_text("Beloppet kan ha högst två decimaler")).to_be_visible()
    expect(page.get_by_label("Beskrivning")).to_have_value("Fika")
    assert_no_axe_violations(page)
    page.get_by_label("Belopp (kr)").fill("1 234,50")
    page.get_by_role("button", name="Registrera kostnad").click()
    expect(page.get_by_text("Kostnaden är registrerad.")).to_be_visible()


def test_report_page_polls_its_progress_until_the_pdf_is_ready(page: Page, live_server, finance_world):
    coordinator, _agreement, year, _fee = finance_world
    job = BackgroundJob.objects.create(
        kind="finance.annual_report", key="browser", requested_by=coordinator, state="running", progress=50
    )
    AnnualReport.objects.create(budget_year=year, requested_by=coordinator, job=job)
    sign_in(page, live_server.url, coordinator)
    page.goto(f"{live_server.url}/ekonomi/ar/{year.public_id}/redovisning/")
    expect(page.get_by_text("Redovisningen skapas (50 %)")).to_be_visible()
    assert_no_axe_violations(page)
    # The worker finishes meanwhile; htmx fetches the fragment again and shows the download.
    BackgroundJob.objects.filter(pk=job.pk).update(state="queued", progress=0)
    job_run(job.pk)
    expect(page.get_by_role("link", name="Hämta redovisningen (PDF)")).to_be_visible(timeout=5_000)


def test_coordinator_sets_up_a_renewal_through_the_agreement_page(page: Page, live_server, finance_world):
    coordinator = finance_world[0]
    sign_in(page, live_server.url, coordinator)
    page.goto(f"{live_server.url}/ekonomi/")
    page.get_by_role("link", name="Lägg upp en överenskommelse").click()
    expect(page.get_by_role("heading", name="Ny överenskommelse")).to_be_visible()
    assert_no_axe_violations(page)
    page.locator("#id_name").fill("Stödgrupper 2019–2020")
    page.get_by_label("Gäller från").fill("2018-07-01")  # overlaps 2017–2018
    page.get_by_label("Gäller till").fill("2020-12-31")
    page.get_by_role("button", name="Spara överenskommelsen").click()
    expect(page.get_by_text("Perioden överlappar överenskommelsen")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("Stödgrupper 2019–2020")
    assert_no_axe_violations(page)
    page.get_by_label("Gäller från").fill("2019-01-01")
    page.get_by_role("button", name="Spara överenskommelsen").click()
    expect(page.get_by_text("är sparad")).to_be_visible()
    expect(page.get_by_role("heading", name="Stödgrupper 2019–2020 (2019–2020)")).to_be_visible()
    expect(page.get_by_text("711 833,00 kr").first).to_be_visible()
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(f"{live_server.url}/ekonomi/overenskommelse/ny/")
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_settlement_page_shows_which_groups_count_and_why(page: Page, live_server, finance_world):
    coordinator, agreement, _year, _fee = finance_world
    for name, status, starts_on in (
        ("Vårgrupp", GroupStatus.CLOSED, datetime.date(2017, 2, 1)),
        ("Öppen grupp", GroupStatus.OPEN, datetime.date(2017, 5, 1)),
    ):
        SupportGroup.objects.create(
            agreement=agreement, name=name, format="weekly", status=status, min_age=7, max_age=12, starts_on=starts_on
        )
    sign_in(page, live_server.url, coordinator)
    for viewport in (None, PHONE_VIEWPORT):
        if viewport:
            page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/ekonomi/overenskommelse/{agreement.public_id}/slutavrakning/")
        page.get_by_label("Datum för uppsägningen").fill("2017-06-30")
        page.get_by_role("button", name="Beräkna").click()
        counted = page.get_by_role("table", name="Genomförda och pågående insatser")
        expect(counted.get_by_text("Vårgrupp")).to_be_visible()
        expect(counted.get_by_text("Startade 2017-02-01 och är avslutad.")).to_be_visible()
        not_counted = page.get_by_role("table", name="Grupper som inte räknas")
        expect(not_counted.get_by_text("Öppen grupp")).to_be_visible()
        expect(not_counted.get_by_text("första träffen har inte hållits")).to_be_visible()
        assert_no_axe_violations(page)
