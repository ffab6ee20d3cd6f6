"""Issue 15's information meetings across the city (followup 0008) on a database that already
holds Bris' breakfast meetings: every meeting, invitation and signup stays in the same table,
under its agreement, seen by Bris' manager and counted toward the IOP's three a year as before;
and the database now refuses a meeting with no holder or two."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from followup.information import information_meetings_for, information_year_status
from followup.models import InformationMeeting
from partnership.models import Role
from tests.factories import district, make_agreement, make_user

BEFORE = [("followup", "0007_member_public_id_unique")]


def test_bris_breakfast_meetings_stay_under_the_iop_and_count_as_before(migrator_factory):
    migrator_factory()  # puts the test database back to the latest layout afterwards
    agreement = make_agreement()
    manager = make_user(Role.OPERATIONS_MANAGER)
    year = timezone.localdate().year

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    old = executor.loader.project_state(BEFORE).apps
    OldMeeting = old.get_model("followup", "InformationMeeting")
    assert OldMeeting._meta.db_table == "partnership_informationmeeting"
    contact = old.get_model("followup", "DistrictContact").objects.create(
        district_id=district("Farsta").pk, name="Kim", role="Chef", email="kim@example.se"
    )
    held = OldMeeting.objects.create(
        agreement_id=agreement.pk,
        starts_at=datetime.datetime(year, 2, 1, 8, tzinfo=datetime.UTC),
        held_at=datetime.datetime(year, 2, 1, 10, tzinfo=datetime.UTC),
        location="Bris",
        created_by_id=manager.pk,
    )
    old.get_model("followup", "InformationInvitation").objects.create(
        meeting_id=held.pk, contact_id=contact.pk, sent_at=timezone.now()
    )
    old.get_model("followup", "InformationSignup").objects.create(
        meeting_id=held.pk, contact_id=contact.pk, name="Kim", email="kim@example.se", attended=True
    )

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    meeting = InformationMeeting.objects.get(pk=held.pk)
    assert (meeting.agreement_id, meeting.organiser_id) == (agreement.pk, None)
    assert meeting.held_by == agreement.provider
    assert list(information_meetings_for(manager)) == [meeting]
    assert (meeting.invitations.get().contact.email, meeting.signups.get().attended) == ("kim@example.se", True)
    assert information_year_status(agreement, year, today=datetime.date(year, 12, 1)).held == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        InformationMeeting.objects.create(starts_at=timezone.now(), location="X", created_by=manager)
