"""The cooperation and breakfast-meeting pages as the coordinator and Bris use them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.models import CooperationGroupMember, CooperationMeeting, DistrictContact, InformationMeeting
from partnership.models import AgreementAmendment, Role
from tests.factories import bris, district, make_agreement, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    today = timezone.localdate()
    return make_agreement(starts_on=datetime.date(today.year, 1, 1), ends_on=datetime.date(today.year + 1, 12, 31))


@pytest.fixture
def coordinator():
    return make_user(Role.COORDINATOR)


@pytest.fixture
def meeting(agreement, coordinator):
    return CooperationMeeting.objects.create(
        agreement=agreement, meeting_date=timezone.localdate(), created_by=coordinator
    )


def test_the_coordinator_adds_an_item_minutes_and_a_decision(make_signed_in_client, coordinator, agreement, meeting):
    member = CooperationGroupMember.objects.create(agreement=agreement, organisation=bris(), name="Vera", title="VA")
    client = make_signed_in_client(coordinator)
    kwargs = {"public_id": meeting.public_id}

    client.post(reverse("followup:agenda_item_create", kwargs=kwargs), {"title": "Informationsarbete"})
    client.post(reverse("followup:meeting_minutes", kwargs=kwargs), {"minutes": "Två grupper klara."})
    client.post(
        reverse("followup:decision_create", kwargs=kwargs),
        {"text": "Boka frukostmöte", "owner": member.pk, "due_on": (timezone.localdate() + datetime.timedelta(30))},
    )

    meeting.refresh_from_db()
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Informationsarbete"]
    assert meeting.minutes == "Två grupper klara." and meeting.held_at is not None
    assert meeting.decisions.get().owner == member
    page = client.get(reverse("followup:meeting_detail", kwargs=kwargs)).content.decode()
    assert "Boka frukostmöte" in page
    assert "Boka frukostmöte" in client.get(reverse("followup:cooperation")).content.decode()

    decision = meeting.decisions.get()
    client.post(reverse("followup:decision_done", kwargs={**kwargs, "decision_id": decision.pk}))
    decision.refresh_from_db()
    assert decision.done_at is not None
    assert "Inga öppna beslut." in client.get(reverse("followup:cooperation")).content.decode()


def test_minutes_for_a_future_meeting_are_refused_with_a_message(make_signed_in_client, coordinator, agreement):
    future = CooperationMeeting.objects.create(
        agreement=agreement, meeting_date=timezone.localdate() + datetime.timedelta(days=3), created_by=coordinator
    )
    client = make_signed_in_client(coordinator)
    response = client.post(
        reverse("followup:meeting_minutes", kwargs={"public_id": future.public_id}), {"minutes": "x"}, follow=True
    )
    assert "Protokoll kan föras först när mötet har ägt rum." in response.content.decode()
    future.refresh_from_db()
    assert future.minutes == ""


def test_the_operations_manager_reads_meetings_but_cannot_write_minutes(make_signed_in_client, meeting):
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    assert client.get(reverse("followup:meeting_detail", kwargs={"public_id": meeting.public_id})).status_code == 200
    response = client.post(
        reverse("followup:meeting_minutes", kwargs={"public_id": meeting.public_id}), {"minutes": "x"}
    )
    assert response.status_code == 403


def test_an_amendment_is_signed_for_each_party_through_its_page(make_signed_in_client, coordinator, agreement):
    client = make_signed_in_client(coordinator)
    response = client.post(
        reverse("followup:amendment_create"),
        {"title": "Fler barn", "description": "Målet höjs.", "target_children_per_year": 48},
    )
    amendment = AgreementAmendment.objects.get()
    assert response["Location"] == reverse("followup:amendment_detail", kwargs={"public_id": amendment.public_id})
    url = response["Location"]
    today = timezone.localdate().isoformat()
    client.post(url, {"party": "public", "signed_by": "Ulla Utredare", "signed_on": today})
    agreement.refresh_from_db()
    assert agreement.target_children_per_year == 40
    client.post(url, {"party": "provider", "signed_by": "Vera Ansvarig", "signed_on": today})
    agreement.refresh_from_db()
    assert agreement.target_children_per_year == 48


def test_an_amendment_without_changes_is_refused(make_signed_in_client, coordinator, agreement):
    response = make_signed_in_client(coordinator).post(
        reverse("followup:amendment_create"), {"title": "Inget", "description": "Inget ändras."}
    )
    assert response.status_code == 200
    assert "Ange minst en uppgift som ändras." in response.content.decode()
    assert not AgreementAmendment.objects.exists()


def test_the_manager_records_signups_and_attendance(make_signed_in_client, agreement):
    manager = make_user(Role.OPERATIONS_MANAGER)
    meeting = InformationMeeting.objects.create(
        agreement=agreement, starts_at=timezone.now() - datetime.timedelta(hours=3), location="Bris", created_by=manager
    )
    client = make_signed_in_client(manager)
    kwargs = {"public_id": meeting.public_id}
    client.post(reverse("followup:information_signup", kwargs=kwargs), {"name": "Anna", "email": "anna@example.se"})
    bad = client.post(
        reverse("followup:information_signup", kwargs=kwargs), {"name": "X", "email": "inte-en-adress"}, follow=True
    )
    assert "Fyll i en giltig e-postadress." in bad.content.decode()
    assert meeting.signups.count() == 1
    signup = meeting.signups.get()
    client.post(reverse("followup:information_attendance", kwargs=kwargs), {"attended": [signup.pk]})
    signup.refresh_from_db()
    meeting.refresh_from_db()
    assert signup.attended is True and meeting.held_at is not None


def test_list_pages_stay_within_a_fixed_number_of_queries(
    make_signed_in_client, coordinator, agreement, django_assert_max_num_queries
):

    for index in range(5):
        DistrictContact.objects.create(
            district=district("Farsta"), name=f"K{index}", role="Chef", email=f"k{index}@example.se"
        )
        InformationMeeting.objects.create(
            agreement=agreement,
            starts_at=timezone.now() + datetime.timedelta(days=index + 1),
            location="Bris",
            created_by=coordinator,
        )
        CooperationMeeting.objects.create(
            agreement=agreement, meeting_date=timezone.localdate(), created_by=coordinator
        )
    client = make_signed_in_client(coordinator)
    for name in ("followup:contacts", "followup:information", "followup:cooperation"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(name)).status_code == 200
