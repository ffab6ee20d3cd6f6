"""Reference groups per area share the cooperation group's meetings, agenda, minutes and decisions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from followup import cooperation
from followup.models import CooperationGroupMember, CooperationMeeting
from partnership.models import Role, TargetGroup
from tests.factories import district, make_agreement, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def mental_illness():
    make_agreement()  # the reference data
    return TargetGroup.objects.get(code="parental_mental_illness")


@pytest.fixture
def reference_group(coordinator, mental_illness):
    group = cooperation.reference_group_create(
        target_group=mental_illness, name="Referensgruppen psykisk ohälsa", created_by=coordinator
    )
    return group


def held_meeting(reference_group, coordinator, minutes="Manualarbetet: ett utkast till hösten."):
    meeting = cooperation.reference_group_meeting_plan(
        reference_group=reference_group,
        meeting_date=timezone.localdate(),
        location="Stadshuset",
        created_by=coordinator,
    )
    cooperation.agenda_item_add(meeting=meeting, title="Manual för psykisk ohälsa", by=coordinator)
    cooperation.cooperation_meeting_record_minutes(meeting=meeting, minutes=minutes, by=coordinator)
    return meeting


def test_one_reference_group_per_area(coordinator, reference_group, mental_illness):
    with pytest.raises(ValidationError, match="redan en referensgrupp"):
        cooperation.reference_group_create(target_group=mental_illness, name="En till", created_by=coordinator)


def test_a_reference_group_meeting_has_no_standing_follow_up_item_and_stays_off_the_agreements_pages(
    coordinator, reference_group
):
    meeting = held_meeting(reference_group, coordinator)
    assert [item.title for item in meeting.agenda_items.all()] == ["Manual för psykisk ohälsa"]
    assert meeting.agreement is None
    agreement = make_agreement()
    assert not agreement.cooperation_meetings.exists()
    assert all(not status.held for status in cooperation.terms_without_meeting(agreement))


def test_a_decisions_owner_must_be_a_member_of_that_forum(coordinator, reference_group):
    meeting = held_meeting(reference_group, coordinator)
    expert = cooperation.reference_group_member_add(
        reference_group=reference_group, name="Pia Professor", title="Forskare", representing="expert"
    )
    agreement = make_agreement()
    outsider = CooperationGroupMember.objects.create(
        agreement=agreement, organisation=agreement.provider, name="Vera", title="Verksamhetsansvarig"
    )
    with pytest.raises(ValidationError, match="ledamot i referensgruppen"):
        cooperation.cooperation_decision_record(
            meeting=meeting, text="Skriv manualen", owner=outsider, due_on=timezone.localdate(), by=coordinator
        )
    decision = cooperation.cooperation_decision_record(
        meeting=meeting,
        text="Skriv manualen",
        owner=expert,
        due_on=timezone.localdate() + datetime.timedelta(days=60),
        by=coordinator,
    )
    assert decision.owner == expert


def test_a_district_member_needs_its_organisation(reference_group):
    with pytest.raises(ValidationError):
        cooperation.reference_group_member_add(
            reference_group=reference_group, name="Sara", title="Enhetschef", representing="district"
        )


def test_the_database_refuses_a_meeting_of_no_forum_or_of_two(coordinator, reference_group):
    with pytest.raises(IntegrityError), transaction.atomic():
        CooperationMeeting.objects.create(meeting_date=timezone.localdate(), created_by=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        CooperationMeeting.objects.create(
            meeting_date=timezone.localdate(),
            created_by=coordinator,
            agreement=make_agreement(),
            reference_group=reference_group,
        )


# --- The pages -----------------------------------------------------------------------------


def test_the_coordinator_opens_a_reference_groups_minutes(make_signed_in_client, coordinator, reference_group):
    meeting = held_meeting(reference_group, coordinator)
    client = make_signed_in_client(coordinator)
    listing = client.get(reverse("followup:reference_groups")).content.decode()
    assert "Referensgruppen psykisk ohälsa" in listing
    # The areas still without a reference group are flagged.
    assert "Områden utan referensgrupp" in listing and "Barn som upplevt våld i familjen" in listing
    page = client.get(reverse("followup:reference_group", args=[reference_group.public_id])).content.decode()
    assert reverse("followup:meeting_detail", args=[meeting.public_id]) in page
    detail = client.get(reverse("followup:meeting_detail", args=[meeting.public_id])).content.decode()
    assert "Manualarbetet: ett utkast till hösten." in detail
    assert "Referensgruppen psykisk ohälsa, möte" in detail


def test_the_coordinator_creates_a_group_adds_a_member_and_plans_a_meeting(
    make_signed_in_client, coordinator, mental_illness
):
    client = make_signed_in_client(coordinator)
    response = client.post(
        reverse("followup:reference_groups"),
        {"target_group": mental_illness.pk, "name": "Referensgruppen psykisk ohälsa", "purpose": "Manualer"},
    )
    group = mental_illness.reference_group
    assert response.status_code == 302
    response = client.post(
        reverse("followup:reference_member_add", args=[group.public_id]),
        {
            "name": "Sara Stadsdel",
            "title": "Enhetschef",
            "representing": "district",
            "organisation": district().municipality.pk,
        },
    )
    assert response.status_code == 302 and group.members.get().name == "Sara Stadsdel"
    response = client.post(
        reverse("followup:reference_meeting_create", args=[group.public_id]),
        {"meeting_date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(), "location": "Stadshuset"},
    )
    meeting = group.meetings.get()
    assert response.url == reverse("followup:meeting_detail", args=[meeting.public_id])
    response = client.post(reverse("followup:agenda_item_create", args=[meeting.public_id]), {"title": "Nuläget"})
    assert response.status_code == 302 and meeting.agenda_items.get().title == "Nuläget"


def test_a_member_with_an_account_reads_the_minutes_and_others_get_404(
    make_signed_in_client, coordinator, reference_group
):
    meeting = held_meeting(reference_group, coordinator)
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    cooperation.reference_group_member_add(
        reference_group=reference_group,
        name="Sam",
        title="Socialsekreterare",
        representing="district",
        organisation=district().municipality,
        user=worker,
    )
    client = make_signed_in_client(worker)
    detail = client.get(reverse("followup:meeting_detail", args=[meeting.public_id]))
    assert detail.status_code == 200 and "Manualarbetet" in detail.content.decode()
    # A member reads, only the coordinator writes.
    assert "Spara protokoll" not in detail.content.decode()
    assert (
        client.post(reverse("followup:meeting_minutes", args=[meeting.public_id]), {"minutes": "x"}).status_code == 403
    )
    # An operations manager may see cooperation meetings, but not this reference group: 404.
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    assert client.get(reverse("followup:meeting_detail", args=[meeting.public_id])).status_code == 404
    assert client.get(reverse("followup:reference_group", args=[reference_group.public_id])).status_code == 403
    # A group leader is no member of anything: 403 before any lookup, as for the cooperation group.
    client = make_signed_in_client(make_user(Role.GROUP_LEADER))
    assert client.get(reverse("followup:meeting_detail", args=[meeting.public_id])).status_code == 403


def test_anonymous_goes_to_login_and_adding_a_member_needs_post(
    client, make_signed_in_client, coordinator, reference_group
):
    response = client.get(reverse("followup:reference_groups"))
    assert response.status_code == 302 and reverse("login") in response.url
    signed_in = make_signed_in_client(coordinator)
    assert signed_in.get(reverse("followup:reference_member_add", args=[reference_group.public_id])).status_code == 405
