"""Follow-up in Chromium: a leader enters an evaluation, a foster family answers on a phone, the
coordinator makes the follow-up report and downloads it; axe on every page on the way."""

import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from followup.evaluation import evaluation_answer_set_record, evaluation_link_create
from followup.models import DistrictContact, EvaluationAnswerSet, InformationMeeting
from partnership.models import Role
from tests.browser.helpers import PHONE_VIEWPORT, assert_no_axe_violations, sign_in
from tests.factories import district, make_agreement, make_user
from tests.followup.factories import instrument, make_group, place_children

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEMS = ["forstar", "prata", "klara", "framat", "viktigt", "inte-ensam"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def agreement():
    today = timezone.localdate()
    return make_agreement(starts_on=datetime.date(today.year, 1, 1), ends_on=datetime.date(today.year + 1, 12, 31))


@pytest.fixture
def leader():
    return make_user(Role.GROUP_LEADER)


def test_a_leader_enters_a_childs_evaluation(page: Page, live_server, agreement, leader):
    group = make_group(agreement=agreement, leader=leader, name="Torsdagsgruppen")
    place_children(group, count=2, first_names=["Ronja", "Birk"])
    instrument("hur-jag-har-det-barn")
    sign_in(page, live_server.url, leader)

    page.goto(f"{live_server.url}/uppfoljning/utvardering/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Torsdagsgruppen").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Hur jag har det (barn 7–12 år)").click()
    assert_no_axe_violations(page)

    page.locator("#id_referral").select_option(index=1)
    page.locator("#id_moment").select_option(label="Före gruppen")
    page.locator("#id_q_forstar_1").check()
    page.locator("#id_q_prata_3").check()
    page.get_by_role("button", name="Spara svaren").click()

    expect(page.get_by_text("Svaren är sparade.")).to_be_visible()
    assert_no_axe_violations(page)
    answer_set = EvaluationAnswerSet.objects.get()
    assert sorted(answer_set.answers.values_list("value", flat=True)) == [2, 4]

    page.get_by_role("link", name="Skapa svarslänk till familjehem").click()
    assert_no_axe_violations(page)
    page.locator("#id_referral").select_option(index=1)
    page.get_by_role("button", name="Skapa länk").click()
    expect(page.get_by_role("heading", name="Svarslänken är skapad")).to_be_visible()
    assert "/uppfoljning/svar/" in page.get_by_label("Länk").input_value()
    assert_no_axe_violations(page)


def test_a_foster_family_answers_through_a_link_on_a_phone(page: Page, live_server, agreement, leader):
    group = make_group(agreement=agreement, leader=leader, name="Torsdagsgruppen")
    (referral,) = place_children(group, count=1, first_names=["Ronja"])
    _link, token = evaluation_link_create(
        group=group,
        referral=referral,
        instrument=instrument("familjehemmets-upplevelse"),
        moment="after",
        created_by=leader,
    )
    page.set_viewport_size(PHONE_VIEWPORT)
    url = f"{live_server.url}/uppfoljning/svar/{token}/"

    page.goto(url)
    expect(page.get_by_role("heading", name="Familjehemmets upplevelse")).to_be_visible()
    assert "Ronja" not in page.content() and "Torsdagsgruppen" not in page.content()
    assert_no_axe_violations(page)
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]

    page.get_by_label("5 – Stämmer helt").first.check()
    page.get_by_label("Vill ni berätta något mer för oss?").fill("Barnet ser fram emot varje träff.")
    page.get_by_role("button", name="Skicka svaren").click()
    expect(page.get_by_role("heading", name="Tack för dina svar!")).to_be_visible()
    assert_no_axe_violations(page)
    assert EvaluationAnswerSet.objects.get().channel == "link"

    page.goto(url)
    expect(page.get_by_role("heading", name="Länken kan inte användas")).to_be_visible()
    expect(page.get_by_text("redan inskickade")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_coordinator_generates_the_report_and_downloads_the_pdf(page: Page, live_server, agreement, leader):
    group = make_group(agreement=agreement, leader=leader, name="Torsdagsgruppen")
    children = place_children(group, count=5, first_names=["Ronja", "Birk", "Mattis", "Lovis", "Skalle"])
    for referral in children:
        for moment, value in (("before", 2), ("after", 4)):
            evaluation_answer_set_record(
                group=group,
                instrument=instrument("hur-jag-har-det-barn"),
                moment=moment,
                referral=referral,
                answers=dict.fromkeys(ITEMS, value),
            )
    coordinator = make_user(Role.COORDINATOR)
    sign_in(page, live_server.url, coordinator)

    page.goto(f"{live_server.url}/uppfoljning/rapport/")
    expect(page.get_by_text("5 barn deltog, mot målet om cirka 40.")).to_be_visible()
    expect(page.get_by_role("img", name="Hur jag har det (barn 7–12 år): medelvärde före och efter")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Skapa PDF").click()
    expect(page.get_by_text("Rapporten är klar.")).to_be_visible()
    assert_no_axe_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner PDF").click()
    pdf = PdfReader(io.BytesIO(open(download_info.value.path(), "rb").read()))  # noqa: SIM115
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "5 barn deltog" in text
    assert "+2,0" in text
    assert "Ronja" not in text

    page.goto(f"{live_server.url}/uppfoljning/utvardering/resultat/")
    assert_no_axe_violations(page)


def test_the_coordinators_cooperation_contacts_and_breakfast_pages(page: Page, live_server, agreement):
    coordinator = make_user(Role.COORDINATOR)
    DistrictContact.objects.create(district=district("Farsta"), name="Anna A", role="Chef", email="anna@example.se")
    sign_in(page, live_server.url, coordinator)

    page.goto(f"{live_server.url}/uppfoljning/samverkan/")
    expect(page.get_by_text("Inget möte planerat").first).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Planera möte").click()
    assert_no_axe_violations(page)
    page.locator("#id_meeting_date").fill((timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Planera").click()
    expect(page.get_by_text("Datumet har redan passerat.")).to_be_visible()
    page.locator("#id_meeting_date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Planera").click()
    expect(page.get_by_text("Uppföljning står på dagordningen.")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/uppfoljning/samverkan/andringar/ny/")
    page.locator("#id_title").fill("Fler barn")
    page.locator("#id_description").fill("Målet höjs till 48 barn per år.")
    page.locator("#id_target_children_per_year").fill("48")
    page.get_by_role("button", name="Registrera").click()
    expect(page.get_by_text("Ändrar ingenting förrän båda parter har undertecknat")).to_be_visible()
    assert_no_axe_violations(page)

    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(f"{live_server.url}/uppfoljning/kontakter/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Importera").click()
    assert_no_axe_violations(page)
    # Every kind of contact (issue 15): a district, a school and health care; one unknown district.
    csv = (
        "typ;organisation;stadsdel;namn;funktion;e-post\n"
        "stadsdel;;Farsta;Bo B;Chef;bo@example.se\n"
        "skola;Farsta grundskola;;Sara S;Kurator;sara@example.se\n"
        "vård;Ungdomsmottagningen Söder;;Hugo H;Barnmorska;hugo@example.se\n"
        "stadsdel;;Gotham;X;Y;x@example.se\n"
    )
    page.locator("#id_file").set_input_files(
        files=[{"name": "lista.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_text("Okänd stadsdel: ”Gotham”.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Importera 3 giltiga rader").click()
    expect(page.get_by_text("Kontaktlistan är importerad: 3 nya och 0 uppdaterade.")).to_be_visible()

    # A meeting for the whole city (under no agreement), invitations to the districts and schools.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/uppfoljning/frukostmoten/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Planera frukostmöte").click()
    expect(page.get_by_label("Hålls inom")).to_have_value("")
    assert_no_axe_violations(page)
    starts = timezone.localtime() + datetime.timedelta(days=14)
    page.locator("#id_starts_at").fill(starts.strftime("%Y-%m-%dT08:00"))
    page.locator("#id_location").fill("Stadshuset")
    page.get_by_role("button", name="Planera").click()
    expect(page.get_by_text("Frukostmötet är planerat.")).to_be_visible()
    expect(page.get_by_text("(för hela staden)")).to_be_visible()
    expect(page.get_by_label("Stadsdel (socialtjänst) (2)")).to_be_checked()
    expect(page.get_by_label("Skola, förskola, elevhälsa (1)")).to_be_checked()
    page.get_by_label("Hälso- och sjukvård, ungdomsmottagning (1)").uncheck()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Skicka inbjudan till de valda").click()
    expect(page.get_by_text("Inbjudningarna skickas till de valda kontakterna.")).to_be_visible()
    expect(page.get_by_text("3 inbjudningar skickade.")).to_be_visible()
    assert_no_axe_violations(page)
    meeting = InformationMeeting.objects.get()
    assert (meeting.agreement, meeting.organiser) == (None, coordinator.membership.organisation)
    invited = meeting.invitations.filter(sent_at__isnull=False)
    assert sorted(invited.values_list("contact__email", flat=True)) == [
        "anna@example.se",
        "bo@example.se",
        "sara@example.se",
    ]

    # Health care later: only they are mailed, nobody a second time.
    page.get_by_label("Hälso- och sjukvård, ungdomsmottagning (1)").check()
    page.get_by_role("button", name="Skicka inbjudan till de valda").click()
    expect(page.get_by_text("4 inbjudningar skickade.")).to_be_visible()
    assert meeting.invitations.count() == 4
