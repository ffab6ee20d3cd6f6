"""The cooperation group: a meeting every term, follow-up on every agenda, signed amendments."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from followup.cooperation import (
    agreement_amendment_record,
    agreement_amendment_sign,
    cooperation_decision_mark_done,
    cooperation_decision_record,
    cooperation_meeting_plan,
    cooperation_meeting_record_minutes,
    terms_without_meeting,
)
from followup.models import CooperationGroupMember, CooperationMeeting
from partnership.models import Role
from tests.factories import SEED_AGREEMENT_PERIOD, bris, make_agreement, make_user, shift_years
from tests.history import changes_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return make_user(Role.COORDINATOR)


def test_a_term_without_a_held_meeting_is_flagged(coordinator):
    agreement = make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    CooperationMeeting.objects.create(
        agreement=agreement,
        meeting_date=datetime.date(2017, 3, 10),
        held_at=datetime.datetime(2017, 3, 10, 12, tzinfo=datetime.UTC),
        created_by=coordinator,
    )
    # Planned but never held: does not count for a term that is over.
    CooperationMeeting.objects.create(
        agreement=agreement, meeting_date=datetime.date(2017, 10, 1), created_by=coordinator
    )

    statuses = terms_without_meeting(agreement, today=datetime.date(2019, 1, 15))

    assert [(s.label, s.lacks_meeting) for s in statuses] == [
        ("Vårtermin 2017", False),
        ("Hösttermin 2017", True),
        ("Vårtermin 2018", True),
        ("Hösttermin 2018", True),
    ]


def test_the_current_term_counts_a_planned_meeting(coordinator):
    today = timezone.localdate()
    agreement = make_agreement(starts_on=today.replace(month=1, day=1), ends_on=shift_years(today, 1))
    assert terms_without_meeting(agreement)[-1].lacks_meeting
    cooperation_meeting_plan(agreement=agreement, meeting_date=today, created_by=coordinator)
    assert not terms_without_meeting(agreement)[-1].lacks_meeting


def test_a_planned_meeting_has_follow_up_as_a_standing_item_and_past_dates_are_refused(coordinator):
    today = timezone.localdate()
    agreement = make_agreement(starts_on=today.replace(month=1, day=1), ends_on=shift_years(today, 1))
    meeting = cooperation_meeting_plan(agreement=agreement, meeting_date=today, created_by=coordinator)
    (item,) = meeting.agenda_items.all()
    assert (item.title, item.is_standing) == ("Uppföljning", True)

    with pytest.raises(ValidationError) as error:
        cooperation_meeting_plan(
            agreement=agreement, meeting_date=today - datetime.timedelta(days=1), created_by=coordinator
        )
    assert "meeting_date" in error.value.message_dict


def test_a_decision_needs_an_owner_from_the_cooperation_group(coordinator):
    agreement = make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    other = make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    meeting = CooperationMeeting.objects.create(
        agreement=agreement, meeting_date=datetime.date(2017, 3, 1), created_by=coordinator
    )
    outsider = CooperationGroupMember.objects.create(agreement=other, organisation=bris(), name="X", title="Y")
    with pytest.raises(ValidationError):
        cooperation_decision_record(
            meeting=meeting, text="Gör X", owner=outsider, due_on=datetime.date(2017, 5, 1), by=coordinator
        )


def test_only_an_amendment_signed_by_both_parties_changes_the_agreement(coordinator):
    agreement = make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    amendment = agreement_amendment_record(
        agreement=agreement,
        title="Förlängning 2019",
        description="Överenskommelsen förlängs till och med 2019.",
        changes={"ends_on": "2019-12-31", "target_children_per_year": 48},
        recorded_by=coordinator,
    )
    agreement_amendment_sign(
        amendment=amendment,
        party="public",
        signed_by="Ulla Utredare",
        signed_on=datetime.date(2018, 11, 1),
        by=coordinator,
    )
    agreement.refresh_from_db()
    assert (agreement.ends_on, agreement.target_children_per_year) == (datetime.date(2018, 12, 31), 40)

    amendment = agreement_amendment_sign(
        amendment=amendment,
        party="provider",
        signed_by="Vera Ansvarig",
        signed_on=datetime.date(2018, 11, 5),
        by=coordinator,
    )
    agreement.refresh_from_db()
    assert (agreement.ends_on, agreement.target_children_per_year) == (datetime.date(2019, 12, 31), 48)
    assert amendment.previous_values == {"ends_on": "2018-12-31", "target_children_per_year": 40}
    with pytest.raises(ValidationError):
        agreement_amendment_sign(
            amendment=amendment, party="public", signed_by="Någon", signed_on=datetime.date(2018, 11, 6), by=coordinator
        )


def test_an_amendment_that_would_break_the_agreement_is_refused_whole(coordinator):
    agreement = make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    amendment = agreement_amendment_record(
        agreement=agreement, title="Fel", description="x", changes={"min_group_size": 9}, recorded_by=coordinator
    )
    agreement_amendment_sign(
        amendment=amendment, party="public", signed_by="A", signed_on=datetime.date(2018, 1, 1), by=coordinator
    )
    with pytest.raises(ValidationError):
        agreement_amendment_sign(
            amendment=amendment, party="provider", signed_by="B", signed_on=datetime.date(2018, 1, 2), by=coordinator
        )
    agreement.refresh_from_db()
    amendment.refresh_from_db()
    assert agreement.min_group_size == 5
    assert amendment.provider_signed_on is None and amendment.applied_at is None


def test_minutes_decisions_and_signatures_record_the_user_who_wrote_them(coordinator):
    """The cooperation group's history names who recorded the minutes, each decision and each
    signature (issue 11: they recorded no user)."""
    agreement = make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    colleague = make_user(Role.COORDINATOR)
    meeting = CooperationMeeting.objects.create(
        agreement=agreement, meeting_date=datetime.date(2018, 11, 1), created_by=coordinator
    )
    cooperation_meeting_record_minutes(meeting=meeting, minutes="Gruppen följde upp hösten.", by=colleague)
    (minutes,) = changes_of(meeting, "minutes")[-1:]
    assert (minutes.old, minutes.new, minutes.by) == ("", "Gruppen följde upp hösten.", colleague)

    owner = CooperationGroupMember.objects.create(agreement=agreement, organisation=bris(), name="Iris", title="X")
    decision = cooperation_decision_record(
        meeting=meeting, text="Boka lokal", owner=owner, due_on=datetime.date(2018, 12, 1), by=colleague
    )
    cooperation_decision_mark_done(decision=decision, by=coordinator)
    cooperation_decision_mark_done(decision=decision, by=colleague)  # the first time is kept
    assert [change.by for change in changes_of(decision, "done_at")] == [coordinator]

    amendment = agreement_amendment_record(
        agreement=agreement,
        title="Förlängning",
        description="x",
        changes={"ends_on": "2019-12-31"},
        recorded_by=coordinator,
    )
    agreement_amendment_sign(
        amendment=amendment,
        party="public",
        signed_by="Ulla Utredare",
        signed_on=datetime.date(2018, 11, 1),
        by=colleague,
    )
    agreement_amendment_sign(
        amendment=amendment,
        party="provider",
        signed_by="Vera Ansvarig",
        signed_on=datetime.date(2018, 11, 5),
        by=coordinator,
    )
    signatures = [(c.new, c.by) for c in changes_of(amendment, "public_party_signed_by")]
    assert signatures[-1] == ("Ulla Utredare", colleague)
    assert [(c.new, c.by) for c in changes_of(amendment, "provider_signed_by")][-1] == ("Vera Ansvarig", coordinator)
    # The agreement's own history shows the change the signatures made, and who made it apply.
    assert [(c.old, c.new, c.by) for c in changes_of(agreement, "ends_on")][-1] == (
        "2018-12-31",
        "2019-12-31",
        coordinator,
    )
