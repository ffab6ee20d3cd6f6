"""Breakfast information meetings: three a year, invitations to the contact list by Celery."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from followup.information import (
    information_attendance_record,
    information_meeting_plan,
    information_meeting_send_invitations,
    information_signup_add,
    information_year_status,
)
from followup.models import DistrictContact, InformationMeeting
from partnership.models import Role
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
