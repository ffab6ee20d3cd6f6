import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone
from icalendar import Calendar
from pypdf import PdfReader

from groups import services
from groups.models import GroupStatus, Placement, SupportGroup, VisitKind
from partnership.models import AccessLogEntry, Role
from referrals.models import ChildIdentity, Referral, ReferralStatus
from tests.factories import make_agreement, make_group, make_referral, make_user
from tests.history import changes_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    today = timezone.localdate()
    # Through next year: the planning tests below plan groups in 2027.
    return make_agreement(starts_on=today.replace(month=1, day=1), ends_on=datetime.date(2027, 12, 31))


@pytest.fixture
def manager(agreement):
    return make_user(Role.OPERATIONS_MANAGER, username="vera")


@pytest.fixture
def leader(agreement):
    return make_user(Role.GROUP_LEADER, username="greta")


def _running_group(manager, leader, *, children=5, earliest=None):
    group = make_group(
        leaders=[leader], manager=manager, earliest=earliest or timezone.localdate() - datetime.timedelta(days=70)
    )
    placements = [
        services.group_place_child(group=group, referral=make_referral(first_name=f"Barn{n}"), placed_by=manager)
        for n in range(children)
    ]
    for placement in placements:
        services.pre_group_visit_record(
            placement=placement, recorded_by=manager, kind=VisitKind.EXCEPTION, exception_reason="Test"
        )
    return services.group_start(group=group, by=manager), placements


def test_a_group_outside_every_agreement_is_refused_beside_the_date(manager, leader, make_signed_in_client):
    """The group belongs to the agreement in force on its first meeting; there is none in 2028,
    so nothing is planned (never silently under the latest agreement)."""
    client = make_signed_in_client(manager)
    data = {
        "name": "Framtidsgruppen",
        "format": "weekly",
        "min_age": 7,
        "max_age": 12,
        "leaders": [leader.pk],
        "first_date": "2028-03-13",
        "weekday": "0",
        "start_time": "16:00",
    }
    response = client.post(reverse("groups:create"), data)
    assert response.status_code == 200
    assert "Ingen överenskommelse gäller 2028-03-13" in response.context["form"].errors["first_date"][0]
    assert response.context["form"]["name"].value() == "Framtidsgruppen"  # input kept
    assert not SupportGroup.objects.filter(name="Framtidsgruppen").exists()


def test_a_group_belongs_to_the_agreement_in_force_on_its_first_meeting(manager, leader, make_signed_in_client):
    renewal = make_agreement(starts_on=datetime.date(2028, 1, 1), ends_on=datetime.date(2029, 12, 31))
    client = make_signed_in_client(manager)
    data = {
        "name": "Förnyad grupp",
        "format": "weekly",
        "min_age": 7,
        "max_age": 12,
        "leaders": [leader.pk],
        "first_date": "2028-03-13",
        "weekday": "0",
        "start_time": "16:00",
    }
    assert client.post(reverse("groups:create"), data).status_code == 302
    assert SupportGroup.objects.get(name="Förnyad grupp").agreement == renewal


def test_manager_plans_a_weekly_group_through_the_form(manager, leader, make_signed_in_client):
    client = make_signed_in_client(manager)
    response = client.post(
        reverse("groups:create"),
        {
            "name": "Tisdagsgruppen",
            "format": "weekly",
            "min_age": 7,
            "max_age": 12,
            "leaders": [leader.pk],
            "first_date": "2027-03-15",
            "weekday": "0",
            "start_time": "16:00",
        },
    )
    group = SupportGroup.objects.get(name="Tisdagsgruppen")
    assert response.status_code == 302 and response["Location"] == reverse("groups:detail", args=[group.public_id])
    assert group.meetings.count() == 8
    assert not group.meetings.filter(starts_at__date=datetime.date(2027, 3, 29)).exists()


def test_a_weekend_starting_on_a_friday_is_refused_beside_the_date_field(manager, leader, make_signed_in_client):
    client = make_signed_in_client(manager)
    response = client.post(
        reverse("groups:create"),
        {
            "name": "Helgen",
            "format": "weekend",
            "min_age": 7,
            "max_age": 12,
            "leaders": [leader.pk],
            "first_date": "2027-09-10",
            "follow_up_weeks": 4,
        },
    )
    assert response.status_code == 200
    assert "ingen lördag" in response.context["form"].errors["first_date"][0]
    assert not SupportGroup.objects.exists()


def test_overlapping_leader_shows_the_error_beside_the_leader_field(manager, leader, make_signed_in_client):
    make_group(leaders=[leader], manager=manager, earliest=datetime.date(2027, 3, 15))
    client = make_signed_in_client(manager)
    response = client.post(
        reverse("groups:create"),
        {
            "name": "Krock",
            "format": "weekly",
            "min_age": 7,
            "max_age": 12,
            "leaders": [leader.pk],
            "first_date": "2027-03-15",
            "weekday": "0",
            "start_time": "17:00",
        },
    )
    assert "leaders" in response.context["form"].errors
    assert not SupportGroup.objects.filter(name="Krock").exists()


def test_placing_a_ninth_child_shows_the_capacity_error(manager, make_signed_in_client):
    group = make_group(manager=manager)
    for n in range(8):
        services.group_place_child(group=group, referral=make_referral(first_name=f"B{n}"), placed_by=manager)
    ninth = make_referral(first_name="Nionde")
    client = make_signed_in_client(manager)
    response = client.post(reverse("groups:place", args=[group.public_id]), {"referral": ninth.public_id})
    assert response.status_code == 200
    assert "8 av 8" in response.content.decode()
    ninth.refresh_from_db()
    assert ninth.status == ReferralStatus.READY


def test_age_outside_the_band_asks_for_a_reason_then_places(manager, make_signed_in_client):
    group = make_group(manager=manager, min_age=13, max_age=15)
    young = make_referral(age=9)
    client = make_signed_in_client(manager)
    url = reverse("groups:place", args=[group.public_id])
    response = client.post(url, {"referral": young.public_id})
    assert response.status_code == 200
    assert response.context["form"].errors["age_override_reason"]
    response = client.post(url, {"referral": young.public_id, "age_override_reason": "Storasyster i gruppen"})
    assert response.status_code == 302
    assert Placement.objects.get(referral=young).age_override_reason == "Storasyster i gruppen"


def test_place_page_lists_the_waiting_list_and_logs_the_names_shown(
    manager, make_signed_in_client, django_assert_max_num_queries
):
    group = make_group(manager=manager)
    for n in range(4):
        make_referral(first_name=f"Väntar{n}")
    make_referral(first_name="Nackabarn", is_external=True, external_municipality="Nacka")
    client = make_signed_in_client(manager)
    # session, user, membership, group, waiting list, placements, access log, +perm checks per row
    with django_assert_max_num_queries(40):
        response = client.get(reverse("groups:place", args=[group.public_id]))
    content = response.content.decode()
    assert content.index("Väntar3") < content.index("Nackabarn")  # Stockholm's children first
    assert AccessLogEntry.objects.filter(what="Väntelista").count() == 5


def test_group_list_query_count_does_not_grow_with_groups(
    manager, make_signed_in_client, django_assert_max_num_queries
):
    leader_a = make_user(Role.GROUP_LEADER)
    for n in range(3):
        make_group(manager=manager, name=f"Grupp {n}", start_hour=10 + 2 * n, leaders=[leader_a])
    client = make_signed_in_client(manager)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("groups:list"))
    assert response.status_code == 200 and "Grupp 2" in response.content.decode()


def test_waiting_list_move_needs_a_reason(manager, make_signed_in_client):
    referral = make_referral()
    client = make_signed_in_client(manager)
    url = reverse("groups:waiting_list_move", args=[referral.public_id])
    response = client.post(url, {"steps": "1", "reason": ""})
    assert response.context["form"].errors["reason"]
    response = client.post(url, {"steps": "1", "reason": "Akut behov"})
    assert response.status_code == 302
    move = changes_of(referral, "waiting_priority")[-1]
    assert (move.old, move.new, move.by, move.reason) == (0, 1, manager, "Akut behov")


def test_a_leader_records_attendance(manager, leader, make_signed_in_client):
    group, placements = _running_group(manager, leader)
    meeting = group.meetings.first()
    client = make_signed_in_client(leader)
    url = reverse("groups:attendance", args=[group.public_id, meeting.pk])
    data = {f"p{p.pk}-present": "1" for p in placements}
    data[f"p{placements[0].pk}-present"] = "0"
    response = client.post(url, data)
    assert response.status_code == 200  # the absence needs a reason
    assert not meeting.attendances.exists()
    data[f"p{placements[0].pk}-absence_reason"] = "ill"
    response = client.post(url, data)
    assert response.status_code == 302
    assert meeting.attendances.filter(present=True).count() == 4


def test_a_leader_who_does_not_lead_the_group_gets_403(manager, leader, make_signed_in_client):
    group, _placements = _running_group(manager, leader)
    other = make_user(Role.GROUP_LEADER)
    response = make_signed_in_client(other).get(
        reverse("groups:attendance", args=[group.public_id, group.meetings.first().pk])
    )
    assert response.status_code == 403


def test_attendance_sheet_pdf_lists_the_children_and_their_marks(manager, leader, make_signed_in_client):
    group, placements = _running_group(manager, leader)
    services.attendance_record(
        meeting=group.meetings.first(),
        entries=[services.AttendanceEntry(p, present=True) for p in placements],
        by=leader,
    )
    response = make_signed_in_client(leader).get(reverse("groups:attendance_pdf", args=[group.public_id]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Närvarolista" in text and group.name in text
    assert placements[0].referral.child.first_name in text
    assert placements[0].referral.child.identity_number not in text
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).count() == 5


def test_calendar_feed_parses_and_carries_no_child_names(manager, leader, client):
    group, placements = _running_group(manager, leader)
    token = services.calendar_token_get_or_create(user=leader)
    response = client.get(reverse("groups:calendar_feed", args=[token.token]))
    assert response.status_code == 200
    feed = Calendar.from_ical(response.content)
    events = feed.walk("VEVENT")
    assert len(events) == 8
    assert str(events[0]["SUMMARY"]).startswith(group.name)
    body = response.content.decode()
    for placement in placements:
        assert placement.referral.child.first_name not in body
        assert placement.referral.child.last_name not in body


def test_a_renewed_calendar_token_revokes_the_old_url(leader, client, make_signed_in_client):
    old = services.calendar_token_get_or_create(user=leader).token
    response = make_signed_in_client(leader).post(reverse("groups:calendar_token_renew"))
    assert response.status_code == 302
    client.logout()
    assert client.get(reverse("groups:calendar_feed", args=[old])).status_code == 404


def test_month_calendar_shows_the_meetings(manager, leader, make_signed_in_client):
    group = make_group(leaders=[leader], manager=manager, earliest=datetime.date(2027, 3, 15))
    response = make_signed_in_client(leader).get(reverse("groups:calendar") + "?manad=2027-03")
    assert response.status_code == 200
    assert response.content.decode().count(group.name) >= 2


def test_a_crowded_day_shows_five_meetings_and_how_many_more_and_its_own_list_shows_all(
    manager, leader, make_signed_in_client, django_assert_max_num_queries
):
    group = make_group(leaders=[leader], manager=manager, earliest=datetime.date(2027, 3, 15))
    day = datetime.date(2027, 3, 10)
    for hour in range(8, 16):
        starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        group.meetings.create(starts_at=starts_at, ends_at=starts_at + datetime.timedelta(minutes=45))
    client = make_signed_in_client(manager)
    with django_assert_max_num_queries(12):
        month = client.get(reverse("groups:calendar"), {"manad": "2027-03"}).content.decode()
    assert "08:00 " + group.name in month and "12:00 " + group.name in month
    assert "13:00 " + group.name not in month
    assert "och 3 till" in month
    whole_day = client.get(reverse("groups:calendar"), {"manad": "2027-03", "dag": "2027-03-10"}).content.decode()
    assert all(f"{hour}:00 {group.name}" in whole_day for hour in ("13", "14", "15"))
    # A day outside the month shown, or no day at all, lists nothing more.
    assert (
        "Alla träffar"
        not in client.get(reverse("groups:calendar"), {"manad": "2027-03", "dag": "2027-04-01"}).content.decode()
    )


def test_the_leaders_home_shows_a_meeting_under_way_and_the_next_ones(leader, manager, make_signed_in_client):
    group = make_group(leaders=[leader], manager=manager, earliest=timezone.localdate() + datetime.timedelta(days=7))
    started = timezone.now() - datetime.timedelta(minutes=90)
    group.meetings.create(starts_at=started, ends_at=started + datetime.timedelta(hours=2))
    group.meetings.create(
        starts_at=started - datetime.timedelta(days=1), ends_at=started - datetime.timedelta(hours=22)
    )
    home = make_signed_in_client(leader).get(reverse("home")).content.decode()
    shown = re.findall(r"– " + re.escape(group.name), home)
    assert len(shown) == 5
    assert f"{dateformat.format(timezone.localtime(started), 'D j M H:i')} – {group.name}" in home


def test_closing_the_group_through_the_page(manager, leader, make_signed_in_client):
    group, placements = _running_group(manager, leader)
    response = make_signed_in_client(leader).post(reverse("groups:close", args=[group.public_id]))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == GroupStatus.CLOSED
    placements[0].referral.refresh_from_db()
    assert placements[0].referral.status == ReferralStatus.COMPLETED


def test_start_below_five_shows_the_count(manager, make_signed_in_client):
    group = make_group(manager=manager)
    services.group_place_child(group=group, referral=make_referral(), placed_by=manager)
    client = make_signed_in_client(manager)
    response = client.post(reverse("groups:action", args=[group.public_id]), {"action": "start"}, follow=True)
    assert "1 barn" in response.content.decode()
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN


def test_annual_targets_panel_shows_counts_to_manager_and_coordinator(manager, leader, make_signed_in_client):
    _running_group(manager, leader, earliest=timezone.localdate().replace(month=1, day=5))
    coordinator = make_user(Role.COORDINATOR)
    for user in (manager, coordinator):
        response = make_signed_in_client(user).get(reverse("home"))
        content = response.content.decode()
        assert "Årsmål" in content
        assert "1 av minst 4" in content and "5 av cirka 40" in content
    assert "Barn0" not in content  # the coordinator sees counts, never a child


def test_a_closed_group_still_shows_after_its_childrens_data_is_purged(manager, leader, make_signed_in_client):

    group, placements = _running_group(manager, leader)
    services.group_close(group=group, by=leader)
    ChildIdentity.objects.filter(referral__placements__group=group).delete()
    Referral.objects.filter(placements__group=group).update(purged_at=timezone.now())
    response = make_signed_in_client(manager).get(reverse("groups:detail", args=[group.public_id]))
    assert response.status_code == 200
    assert placements[0].referral.pseudonym in response.content.decode()


def test_a_subgroup_cannot_change_status_on_its_own(manager):
    weekend = make_group(format="weekend", manager=manager, min_age=7, max_age=15)
    children = [make_referral(age=7 + n % 9, first_name=f"Helg{n}") for n in range(10)]
    subgroups = services.weekend_split_apply(group=weekend, referrals=children, by=manager)
    with pytest.raises(services.ValidationError):
        services.group_start(group=subgroups[0], by=manager)
    services.group_cancel(group=weekend, by=manager, reason="Sjukdom")
    assert {s.status for s in SupportGroup.objects.filter(parent=weekend)} == {GroupStatus.CANCELLED}


def test_a_leaders_home_lists_their_upcoming_meetings(manager, leader, make_signed_in_client):
    group = make_group(leaders=[leader], manager=manager)
    other = make_group(leaders=[make_user(Role.GROUP_LEADER)], manager=manager, name="Någon annans grupp")
    content = make_signed_in_client(leader).get(reverse("home")).content.decode()
    assert content.count(group.name) == 5 and other.name not in content


def test_annual_targets_panel_hides_a_count_of_one_to_four_children(manager, leader, make_signed_in_client):
    _group, placements = _running_group(manager, leader, earliest=timezone.localdate().replace(month=1, day=5))
    # A child who left the running group no longer counts: four remain.
    Placement.objects.filter(pk=placements[0].pk).update(removed_at=timezone.now())
    for user in (manager, make_user(Role.COORDINATOR)):
        content = make_signed_in_client(user).get(reverse("home")).content.decode()
        assert "färre än 5 av cirka 40" in content
        assert "4 av cirka 40" not in content


def test_the_waiting_list_links_open_groups_for_placing_only_for_those_who_place(
    manager, leader, make_signed_in_client
):
    group = make_group(leaders=[leader], manager=manager)
    place_url = reverse("groups:place", args=[group.public_id])
    assert place_url in make_signed_in_client(manager).get(reverse("groups:waiting_list")).content.decode()
    page = make_signed_in_client(leader).get(reverse("groups:waiting_list")).content.decode()
    assert place_url not in page
    assert make_signed_in_client(leader).get(place_url).status_code == 403
