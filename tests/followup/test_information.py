"""Information meetings: Bris' breakfast meetings, three a year under the IOP; the coordinator's for
the whole city and any provider's own (issue 15); invitations to contacts of the chosen kinds by
the background-job pipeline, once per contact."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from followup.information import (
    information_attendance_record,
    information_meeting_plan,
    information_meeting_send_invitations,
    information_meetings_for,
    information_signup_add,
    information_year_status,
)
from followup.models import ContactKind, DistrictContact, InformationInvitation, InformationMeeting
from partnership.models import Role
from tests.coordination.factories import make_provider_world
from tests.factories import district, make_agreement, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user(Role.OPERATIONS_MANAGER)


def _meeting(agreement, when, user, *, held=False):
    return InformationMeeting.objects.create(
        agreement=agreement, starts_at=when, location="Bris", created_by=user, held_at=when if held else None
    )


def at(year, month, day):
    return datetime.datetime(year, month, day, 8, tzinfo=datetime.UTC)


def test_a_year_with_fewer_meetings_than_its_elapsed_thirds_is_behind(manager):
    agreement = make_agreement()
    _meeting(agreement, at(2017, 3, 1), manager, held=True)
    _meeting(agreement, at(2017, 5, 20), manager)
    _meeting(agreement, at(2017, 11, 1), manager)
    # In early May: one held, two planned ahead – on track.
    assert not information_year_status(agreement, 2017, today=datetime.date(2017, 5, 2)).is_behind
    # By September two should have been held; one held and one planned later is behind.
    status = information_year_status(agreement, 2017, today=datetime.date(2017, 9, 15))
    # The May meeting never got its attendance recorded, so it was not held.
    assert (status.held, status.planned, status.expected_by_now, status.is_behind) == (1, 1, 2, True)


def test_a_year_on_track_is_not_flagged(manager):
    agreement = make_agreement()
    _meeting(agreement, at(2017, 3, 1), manager, held=True)
    _meeting(agreement, at(2017, 6, 1), manager, held=True)
    _meeting(agreement, at(2017, 11, 1), manager)
    status = information_year_status(agreement, 2017, today=datetime.date(2017, 9, 15))
    assert not status.is_behind


def test_a_meeting_cannot_be_planned_in_the_past(manager):
    agreement = make_agreement()
    with pytest.raises(ValidationError) as error:
        information_meeting_plan(
            agreement=agreement,
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            location="Bris",
            created_by=manager,
        )
    assert "starts_at" in error.value.message_dict


def test_invitations_go_once_to_every_active_contact(manager, django_capture_on_commit_callbacks):
    agreement = make_agreement()
    DistrictContact.objects.create(district=district("Farsta"), name="A", role="Chef", email="a@example.se")
    DistrictContact.objects.create(district=district("Bromma"), name="B", role="Chef", email="b@example.se")
    DistrictContact.objects.create(
        district=district("Bromma"), name="C", role="Chef", email="c@example.se", is_active=False
    )
    meeting = _meeting(agreement, timezone.now() + datetime.timedelta(days=14), manager)

    with django_capture_on_commit_callbacks(execute=True):
        information_meeting_send_invitations(meeting=meeting, by=meeting.created_by)

    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.se", "b@example.se"]
    assert "frukostmöte" in mail.outbox[0].subject
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        information_meeting_send_invitations(meeting=meeting, by=meeting.created_by)
    assert len(mail.outbox) == 2


def test_signups_and_attendance_mark_the_meeting_held(manager):
    agreement = make_agreement()
    meeting = _meeting(agreement, timezone.now() - datetime.timedelta(hours=2), manager)
    came = information_signup_add(meeting=meeting, name="A", email="A@example.se")
    information_signup_add(meeting=meeting, name="B", email="b@example.se")
    with pytest.raises(ValidationError):
        information_signup_add(meeting=meeting, name="A igen", email="a@example.se")

    meeting = information_attendance_record(meeting=meeting, attended_ids={came.pk})

    assert meeting.held_at is not None
    assert list(meeting.signups.filter(attended=True).values_list("email", flat=True)) == ["a@example.se"]


# --- Across the city (issue 15): the coordinator's and any provider's meetings, invitations by kind


def _contact(email, kind, *, district_name=None, active=True):
    return DistrictContact.objects.create(
        kind=kind,
        district=district(district_name) if district_name else None,
        organisation="" if kind == ContactKind.DISTRICT else "Organisation",
        name=email.split("@")[0],
        role="Kontakt",
        email=email,
        is_active=active,
    )


def _plan_form(starts_at, **fields):
    return {"starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"), "location": "Stadshuset", "topic": "", **fields}


def test_the_coordinator_plans_a_meeting_for_the_whole_city(make_signed_in_client, coordinator):
    make_agreement()
    client = make_signed_in_client(coordinator)
    response = client.post(
        reverse("followup:information_create"), _plan_form(timezone.localtime() + datetime.timedelta(days=10))
    )
    meeting = InformationMeeting.objects.get()
    assert response.status_code == 302
    # Held by the city itself, under no agreement: it counts toward no provider's three a year.
    assert (meeting.agreement, meeting.organiser) == (None, coordinator.membership.organisation)
    assert meeting.held_by == coordinator.membership.organisation


def test_a_provider_plans_under_its_own_arrangement_or_outside_it(make_signed_in_client):
    provider, grant, manager, _leader = make_provider_world()
    client = make_signed_in_client(manager)
    # The arrangement in force is chosen to begin with, as Bris' IOP always was for Bris.
    page = client.get(reverse("followup:information_create")).content.decode()
    assert f'<option value="{grant.pk}" selected>' in page
    starts = timezone.localtime() + datetime.timedelta(days=10)
    client.post(reverse("followup:information_create"), _plan_form(starts, agreement=grant.pk))
    client.post(reverse("followup:information_create"), _plan_form(starts, agreement=""))
    meetings = InformationMeeting.objects.order_by("pk")
    assert [(m.agreement, m.organiser, m.held_by) for m in meetings] == [
        (grant, None, provider),
        (None, provider, provider),
    ]


def test_a_provider_cannot_plan_under_another_providers_agreement(make_signed_in_client):
    bris_iop = make_agreement()
    _provider, _grant, manager, _leader = make_provider_world()
    response = make_signed_in_client(manager).post(
        reverse("followup:information_create"),
        _plan_form(timezone.localtime() + datetime.timedelta(days=10), agreement=bris_iop.pk),
    )
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not InformationMeeting.objects.exists()


def test_a_meeting_under_an_agreement_falls_in_its_period(manager):
    agreement = make_agreement()
    after = datetime.datetime.combine(agreement.ends_on, datetime.time(8), tzinfo=datetime.UTC)
    with pytest.raises(ValidationError) as error:
        information_meeting_plan(
            agreement=agreement, starts_at=after + datetime.timedelta(days=2), location="Bris", created_by=manager
        )
    assert "starts_at" in error.value.message_dict


def test_a_meeting_is_held_under_an_agreement_or_by_an_organisation_never_both(manager):
    agreement = make_agreement()
    with pytest.raises(IntegrityError), transaction.atomic():
        InformationMeeting.objects.create(
            agreement=agreement,
            organiser=agreement.provider,
            starts_at=timezone.now(),
            location="X",
            created_by=manager,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        InformationMeeting.objects.create(starts_at=timezone.now(), location="X", created_by=manager)


def test_a_meeting_outside_the_iop_does_not_count_toward_its_three_a_year(manager):
    agreement = make_agreement()
    year = timezone.localdate().year
    _meeting(agreement, at(year, 2, 1), manager, held=True)
    InformationMeeting.objects.create(
        organiser=agreement.provider,
        starts_at=at(year, 3, 1),
        held_at=at(year, 3, 1),
        location="Bris",
        created_by=manager,
    )
    assert information_year_status(agreement, year, today=datetime.date(year, 12, 1)).held == 1


def test_a_provider_sees_and_manages_only_its_own_meetings_and_the_coordinator_all(
    make_signed_in_client, client, coordinator
):
    bris_iop = make_agreement()
    bris_manager = make_user(Role.OPERATIONS_MANAGER)
    provider, grant, ersta_manager, _leader = make_provider_world()
    later = timezone.now() + datetime.timedelta(days=10)
    bris = _meeting(bris_iop, later, bris_manager)
    ersta_own = InformationMeeting.objects.create(
        organiser=provider, starts_at=later, location="Ersta", created_by=ersta_manager
    )
    ersta_grant = _meeting(grant, later, ersta_manager)
    city_wide = InformationMeeting.objects.create(
        organiser=coordinator.membership.organisation, starts_at=later, location="Stadshuset", created_by=coordinator
    )
    assert set(information_meetings_for(ersta_manager)) == {ersta_own, ersta_grant}
    assert set(information_meetings_for(bris_manager)) == {bris}
    assert set(information_meetings_for(coordinator)) == {bris, ersta_own, ersta_grant, city_wide}
    assert not information_meetings_for(make_user(Role.GROUP_LEADER)).exists()

    ersta = make_signed_in_client(ersta_manager)
    for meeting in (bris, city_wide):
        kwargs = {"public_id": meeting.public_id}
        assert ersta.get(reverse("followup:information_detail", kwargs=kwargs)).status_code == 404
        response = ersta.post(reverse("followup:information_invite", kwargs=kwargs), {"contact_kinds": ["school"]})
        assert response.status_code == 404
    assert not InformationInvitation.objects.exists()
    listed = ersta.get(reverse("followup:information")).content.decode()
    assert "Ersta" in listed and "Stadshuset" not in listed
    # Ersta has no IOP: no three-a-year table.
    assert "Ligger efter" not in listed and "Enligt plan" not in listed


def test_invitations_go_once_to_the_contacts_of_the_chosen_kinds(manager, django_capture_on_commit_callbacks):
    agreement = make_agreement()
    _contact("skola@example.se", ContactKind.SCHOOL)
    _contact("bvc@example.se", ContactKind.HEALTH_CARE)
    _contact("farsta@example.se", ContactKind.DISTRICT, district_name="Farsta")
    _contact("bup@example.se", ContactKind.COUNTY)
    _contact("gammal@example.se", ContactKind.SCHOOL, active=False)
    meeting = _meeting(agreement, timezone.now() + datetime.timedelta(days=14), manager)

    with django_capture_on_commit_callbacks(execute=True):
        information_meeting_send_invitations(meeting=meeting, contact_kinds=["school", "health_care"], by=manager)
    assert sorted(message.to[0] for message in mail.outbox) == ["bvc@example.se", "skola@example.se"]

    # Adding the districts later mails only them; the schools are not mailed again.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            information_meeting_send_invitations(meeting=meeting, contact_kinds=["school", "district"], by=manager) == 1
        )
    assert sorted(message.to[0] for message in mail.outbox) == [
        "bvc@example.se",
        "farsta@example.se",
        "skola@example.se",
    ]
    assert meeting.invitations.count() == 3
    with pytest.raises(ValidationError, match="redan inbjudna"):
        information_meeting_send_invitations(meeting=meeting, contact_kinds=["school"], by=manager)
    with pytest.raises(ValidationError, match="inga aktiva kontaktpersoner"):
        information_meeting_send_invitations(meeting=meeting, contact_kinds=["other"], by=manager)
    with pytest.raises(ValidationError):
        information_meeting_send_invitations(meeting=meeting, contact_kinds=["nonsense"], by=manager)
    assert len(mail.outbox) == 3


def test_the_invite_page_needs_a_kind_and_sends_to_those_chosen(
    make_signed_in_client, coordinator, django_capture_on_commit_callbacks
):
    _contact("skola@example.se", ContactKind.SCHOOL)
    _contact("bup@example.se", ContactKind.COUNTY)
    meeting = InformationMeeting.objects.create(
        organiser=coordinator.membership.organisation,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        location="Stadshuset",
        created_by=coordinator,
    )
    client = make_signed_in_client(coordinator)
    url = reverse("followup:information_invite", kwargs={"public_id": meeting.public_id})
    refused = client.post(url, {}, follow=True)
    assert "Välj minst en typ av kontakt." in refused.content.decode()
    assert not meeting.invitations.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"contact_kinds": ["county"]}, follow=True)
    assert "Inbjudningarna skickas till de valda kontakterna." in done.content.decode()
    assert [message.to for message in mail.outbox] == [["bup@example.se"]]


def test_the_list_is_paginated_in_a_fixed_number_of_queries(
    make_signed_in_client, coordinator, django_assert_max_num_queries
):
    agreement = make_agreement()
    provider, grant, _manager, _leader = make_provider_world()
    holders = [{"agreement": agreement}, {"agreement": grant}, {"organiser": provider}]
    for index in range(30):
        InformationMeeting.objects.create(
            **holders[index % 3],
            starts_at=timezone.now() + datetime.timedelta(days=index + 1),
            location=f"Plats {index}",
            created_by=coordinator,
        )
    client = make_signed_in_client(coordinator)
    # The session, the user, their device and membership; the IOP for the three-a-year table and
    # one query per year of it so far (two: its years do not grow with the meetings); the page's
    # count and its rows with their holders; the session's save (savepoint, update, release).
    with django_assert_max_num_queries(12):
        first = client.get(reverse("followup:information"))
    first_page = first.content.decode()
    # The latest first, 25 a page: 29 down to 5, then 4 down to 0.
    assert first_page.count("Plats ") == 25
    assert "Plats 29<" in first_page and "Plats 4<" not in first_page
    second = client.get(reverse("followup:information"), {"sida": 2}).content.decode()
    assert second.count("Plats ") == 5 and "Plats 0<" in second


def test_a_meeting_page_shows_the_contacts_and_invitations_per_kind(
    make_signed_in_client, coordinator, django_assert_max_num_queries
):
    for index in range(6):
        _contact(f"skola{index}@example.se", ContactKind.SCHOOL)
    meeting = InformationMeeting.objects.create(
        organiser=coordinator.membership.organisation,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        location="Stadshuset",
        created_by=coordinator,
    )
    client = make_signed_in_client(coordinator)
    # The session, user, device, membership; the meeting with its holder and counts; the contacts
    # and the invitations per kind (one each); the signups; the session's save (three).
    with django_assert_max_num_queries(12):
        page = client.get(reverse("followup:information_detail", kwargs={"public_id": meeting.public_id}))
    text = page.content.decode()
    assert "Skola, förskola, elevhälsa (6)" in text
    assert "för hela staden" in text
