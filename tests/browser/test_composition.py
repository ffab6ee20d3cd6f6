"""Issue 16's paths in Chromium, at desktop and phone width, with axe on every page: the operations
manager asks for group suggestions for the provider's waiting list and accepts one, which becomes
a group with its children placed; the coordinator opens a reference group's minutes; the method
library flags an area without a manual."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from followup import cooperation
from groups import methods
from groups.models import GroupStatus, Placement, SupportGroup
from partnership import jobs
from partnership.models import BackgroundJob, Role, TargetGroup
from tests.browser.helpers import PHONE_VIEWPORT, assert_no_axe_violations, sign_in
from tests.factories import make_agreement, make_referral, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world():
    today = timezone.localdate()
    agreement = make_agreement(
        starts_on=today - datetime.timedelta(days=100), ends_on=today + datetime.timedelta(days=600)
    )
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    for n, (age, district) in enumerate(
        [(8, "Farsta"), (9, "Skarpnäck"), (8, "Farsta"), (9, "Farsta"), (8, "Skarpnäck"), (9, "Farsta")]
    ):
        make_referral(
            submitted_by=make_user(Role.SOCIAL_WORKER, district_name=district) if district != "Farsta" else worker,
            agreement=agreement,
            age=age,
            district_name=district,
            first_name=f"Kid{n}",
        )
    manager = make_user(Role.OPERATIONS_MANAGER, first_name="Vera", last_name="Ansvarig")
    leader = make_user(Role.GROUP_LEADER, first_name="Greta", last_name="Ledare")
    coordinator = make_user(Role.COORDINATOR)
    mental_illness = TargetGroup.objects.get(code="parental_mental_illness")
    reference = cooperation.reference_group_create(
        target_group=mental_illness, name="Referensgruppen psykisk ohälsa", created_by=coordinator
    )
    meeting = cooperation.reference_group_meeting_plan(
        reference_group=reference, meeting_date=today, created_by=coordinator
    )
    cooperation.agenda_item_add(meeting=meeting, title="Manual för området", by=coordinator)
    cooperation.cooperation_meeting_record_minutes(
        meeting=meeting, minutes="Ingen manual finns; ett utkast tas fram.", by=coordinator
    )
    methods.method_create(
        name="CAP – Children Are People too",
        target_group=TargetGroup.objects.get(code="parental_substance_misuse"),
        min_age=7,
        max_age=12,
        format="10 träffar",
        by=coordinator,
    )
    return {"manager": manager, "leader": leader, "coordinator": coordinator, "agreement": agreement}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_VIEWPORT], ids=["desktop", "phone"])
def test_suggest_accept_minutes_and_method_library(page: Page, live_server, world, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, live_server.url, world["manager"])
    page.goto(f"{live_server.url}/sammansattning/")
    expect(page.get_by_role("heading", name="Sätt samman grupper")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Målgrupp").select_option(label="Familjehemsplacerade barn")
    page.get_by_role("button", name="Föreslå grupper").click()
    expect(page.get_by_text("Optimalt", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Grupp 1: 8–9 år")).to_be_visible()
    expect(page.get_by_text("Väntat längst: Kid0")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Ändra eller godta grupp 1").click()
    expect(page.get_by_role("heading", name="Godta grupp 1")).to_be_visible()
    assert_no_axe_violations(page)
    # The manager takes the last child out before accepting.
    page.get_by_label("Kid5", exact=False).uncheck()
    page.get_by_label("Greta Ledare").check()
    page.get_by_label("Veckodag (veckovis grupp)").select_option(label="Torsdag")
    page.get_by_role("button", name="Godta och planera gruppen").click()
    expect(page.get_by_text("Gruppen är planerad och öppen med 5 placerade barn.")).to_be_visible()
    assert_no_axe_violations(page)
    group = SupportGroup.objects.get()
    assert group.status == GroupStatus.OPEN
    assert Placement.objects.filter(group=group, removed_at__isnull=True).count() == 5
    expect(page.get_by_role("heading", name=group.name)).to_be_visible()

    page.context.clear_cookies()  # signed out: the coordinator signs in on the same browser
    sign_in(page, live_server.url, world["coordinator"])
    page.goto(f"{live_server.url}/uppfoljning/referensgrupper/")
    expect(page.get_by_text("Områden utan referensgrupp:")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Referensgruppen psykisk ohälsa").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name=timezone.localdate().isoformat()).click()
    expect(page.get_by_role("paragraph").filter(has_text="Ingen manual finns; ett utkast tas fram.")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/metoder/")
    flagged = page.locator("#without-manual")
    expect(flagged.get_by_text("Barn till föräldrar med psykisk ohälsa")).to_be_visible()
    expect(flagged.get_by_text("Barn till föräldrar med missbruk")).to_be_visible()
    expect(page.get_by_text("Saknar manual")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_suggestions_page_waits_for_the_background_job_then_shows_them(page: Page, live_server, world, monkeypatch):
    """The job is not handed to the broker (as when it is down): the page says so and polls; once
    a worker has solved it, the suggestion appears on the same page, without reloading it."""
    monkeypatch.setattr(jobs, "job_send", lambda job_id: False)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, world["manager"])
    page.goto(f"{live_server.url}/sammansattning/")
    page.get_by_label("Målgrupp").select_option(label="Familjehemsplacerade barn")
    page.get_by_role("button", name="Föreslå grupper").click()
    expect(page.get_by_text("Bakgrundstjänsten går inte att nå just nu.", exact=False)).to_be_visible()
    expect(page.get_by_role("progressbar", name="Förslaget tas fram (0 %)")).to_be_visible()
    assert_no_axe_violations(page)
    address = page.url

    job = BackgroundJob.objects.get(kind="composition.suggestion")
    jobs.job_run(job.pk)  # what the worker does once the broker has the job
    expect(page.get_by_text("Optimalt", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Grupp 1: 8–9 år")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(0)
    assert page.url == address
    assert_no_axe_violations(page)
