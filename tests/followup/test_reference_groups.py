"""Reference groups per area share the cooperation group's meetings, agenda, minutes and decisions."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from followup import cooperation
from followup.models import CooperationGroupMember, CooperationMeeting
from partnership.models import Role, TargetGroup
from tests.factories import district, make_agreement, make_user
from tests.history import changes_of

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


# --- A member's details and the end of a membership -----------------------------------------


def test_the_coordinator_changes_a_members_details_and_the_history_keeps_the_old_ones(coordinator, reference_group):
    member = cooperation.reference_group_member_add(
        reference_group=reference_group, name="Pia Professor", title="Forskare", representing="expert", by=coordinator
    )
    organisation = district().municipality
    cooperation.cooperation_member_update(
        member=member,
        name="Pia Professor",
        title="Enhetschef",
        representing="district",
        organisation=organisation,
        by=coordinator,
    )
    member.refresh_from_db()
    assert (member.title, member.representing, member.organisation) == ("Enhetschef", "district", organisation)
    (change,) = changes_of(member, "title")[1:]
    assert (change.old, change.new, change.by) == ("Forskare", "Enhetschef", coordinator)
    # The same rules as when the member was added.
    with pytest.raises(ValidationError, match="stadsdelens eller utförarens organisation"):
        cooperation.cooperation_member_update(
            member=member, name="Pia", title="Chef", representing="provider", organisation=None, by=coordinator
        )


def test_an_ended_member_still_owns_past_decisions_and_owns_no_new_ones(coordinator, reference_group):
    expert = cooperation.reference_group_member_add(
        reference_group=reference_group, name="Pia Professor", title="Forskare", representing="expert"
    )
    meeting = held_meeting(reference_group, coordinator)
    today = timezone.localdate()
    decision = cooperation.cooperation_decision_record(
        meeting=meeting, text="Skriv manualen", owner=expert, due_on=today + datetime.timedelta(days=60), by=coordinator
    )
    # Not before the meeting where she took on a decision.
    with pytest.raises(ValidationError, match="ansvarig för ett beslut från mötet"):
        cooperation.cooperation_member_end(member=expert, ended_on=today - datetime.timedelta(days=1), by=coordinator)
    cooperation.cooperation_member_end(member=expert, ended_on=today, by=coordinator)
    expert.refresh_from_db()
    assert expert.ended_on == today
    # Its history: who ended it, when (a creation with no end date names no change of it).
    assert [(c.old, c.new, c.by) for c in changes_of(expert, "ended_on")] == [(None, str(today), coordinator)]
    # Kept: the past meeting's decision names her, and she was a member on that day.
    decision.refresh_from_db()
    assert decision.owner == expert and expert in meeting.forum_members()
    # A later meeting's decision cannot be hers.
    later = cooperation.reference_group_meeting_plan(
        reference_group=reference_group, meeting_date=today + datetime.timedelta(days=7), created_by=coordinator
    )
    assert expert not in later.forum_members()
    with pytest.raises(ValidationError, match="ledamot i referensgruppen"):
        cooperation.cooperation_decision_record(
            meeting=later, text="Nästa steg", owner=expert, due_on=today + datetime.timedelta(days=30), by=coordinator
        )


def test_a_former_member_with_an_account_no_longer_reads_the_group(make_signed_in_client, coordinator, reference_group):
    meeting = held_meeting(reference_group, coordinator)
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    member = cooperation.reference_group_member_add(
        reference_group=reference_group,
        name="Sam",
        title="Socialsekreterare",
        representing="district",
        organisation=district().municipality,
        user=worker,
    )
    client = make_signed_in_client(worker)
    assert client.get(reverse("followup:meeting_detail", args=[meeting.public_id])).status_code == 200
    # A last day ahead: still a member until then.
    cooperation.cooperation_member_end(
        member=member, ended_on=timezone.localdate() + datetime.timedelta(days=30), by=coordinator
    )
    assert client.get(reverse("followup:reference_group", args=[reference_group.public_id])).status_code == 200
    cooperation.cooperation_member_end(
        member=member, ended_on=timezone.localdate() - datetime.timedelta(days=1), by=coordinator
    )
    assert client.get(reverse("followup:meeting_detail", args=[meeting.public_id])).status_code == 403
    assert client.get(reverse("followup:reference_group", args=[reference_group.public_id])).status_code == 403
    assert client.get(reverse("followup:reference_groups")).status_code == 403


def test_the_coordinator_changes_and_ends_a_membership_on_the_members_page(
    make_signed_in_client, coordinator, reference_group
):
    member = cooperation.reference_group_member_add(
        reference_group=reference_group, name="Pia Professor", title="Forskare", representing="expert"
    )
    client = make_signed_in_client(coordinator)
    group_page = reverse("followup:reference_group", args=[reference_group.public_id])
    page = reverse("followup:reference_member", args=[reference_group.public_id, member.public_id])
    end = reverse("followup:reference_member_end", args=[reference_group.public_id, member.public_id])
    assert page in client.get(group_page).content.decode()
    form = client.get(page).content.decode()
    assert 'value="Forskare"' in form and "Avsluta ledamotskapet" in form
    refused = client.post(page, {"name": "Pia Professor", "title": "Chef", "representing": "provider"})
    assert refused.status_code == 200 and "utförarens organisation" in refused.content.decode()
    response = client.post(page, {"name": "Pia Professor", "title": "Professor", "representing": "expert"})
    assert response.url == group_page
    member.refresh_from_db()
    assert member.title == "Professor"
    refused = client.post(end, {"ended_on": "1000-01-01"})
    assert refused.status_code == 200 and "Ange ett datum mellan" in refused.content.decode()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(end, {"ended_on": yesterday.isoformat()})
    assert response.url == group_page
    member.refresh_from_db()
    assert member.ended_on == yesterday
    listing = client.get(group_page).content.decode()
    former = listing.split("Tidigare ledamöter</h3>")[1]
    assert "Pia Professor" in former and yesterday.isoformat() in former


def test_who_may_change_a_member(client, make_signed_in_client, coordinator, reference_group):
    member = cooperation.reference_group_member_add(
        reference_group=reference_group, name="Pia Professor", title="Forskare", representing="expert"
    )
    page = reverse("followup:reference_member", args=[reference_group.public_id, member.public_id])
    end = reverse("followup:reference_member_end", args=[reference_group.public_id, member.public_id])
    assert reverse("login") in client.get(page).url
    # A member with an account reads the group but does not keep it.
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    cooperation.reference_group_member_add(
        reference_group=reference_group,
        name="Sam",
        title="Socialsekreterare",
        representing="district",
        organisation=district().municipality,
        user=worker,
    )
    for user in (worker, make_user(Role.OPERATIONS_MANAGER)):
        other = make_signed_in_client(user)
        assert other.get(page).status_code == 403
        assert other.post(end, {"ended_on": timezone.localdate().isoformat()}).status_code == 403
    member.refresh_from_db()
    assert member.ended_on is None
    signed_in = make_signed_in_client(coordinator)
    # Another reference group's member, or none: 404; ending takes only POST.
    other_group = cooperation.reference_group_create(
        target_group=TargetGroup.objects.get(code="violence_in_family"), name="Våld", created_by=coordinator
    )
    assert (
        signed_in.get(reverse("followup:reference_member", args=[other_group.public_id, member.public_id])).status_code
        == 404
    )
    assert (
        signed_in.get(reverse("followup:reference_member", args=[reference_group.public_id, uuid.uuid4()])).status_code
        == 404
    )
    assert signed_in.get(end).status_code == 405
