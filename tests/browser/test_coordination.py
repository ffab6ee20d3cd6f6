"""The coordination's "done when" path, in Chromium at phone width with axe on every page: a
custodian finds a provider's group (not Bris') on the public page and registers interest; the
provider's staff take it up, record the custodian's consent and place the child; another
provider's staff get 404 for it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coordination.models import Participant, PublicInterest
from partnership.models import District, Role
from tests.browser.helpers import PHONE_VIEWPORT, assert_no_axe_violations, sign_in
from tests.coordination.factories import make_provider, make_provider_user, make_provider_world, publish
from tests.factories import make_agreement, make_group

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
