"""Opted-in foster families get one email the day before each meeting, about the meeting only."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groups import family_reminders, services
from groups.models import FamilyReminder, GroupStatus, Meeting, Premises, SupportGroup
from groups.tasks import family_reminders_sweep
from partnership.models import Role
from referrals.models import ChildIdentity, PurgeRule, ReferralStatus
from referrals.purge import referral_purge
from referrals.services import referral_transition
from tests.factories import make_group, make_referral, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The hourly sweep as beat runs it: its mail jobs go to the (eager) worker once it commits."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return family_reminders_sweep.delay().get()

    return run


def _tomorrow_at(hour: int) -> datetime.datetime:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _group_meeting_tomorrow(*, leaders, name="Fredagsgruppen", premises=None):
    """A group whose first meeting is tomorrow 17–19 (moved there, so a holiday cannot skip it)."""
    group = make_group(leaders=leaders, name=name, premises=premises)
    first = Meeting.objects.filter(group=group).order_by("starts_at").first()
    Meeting.objects.filter(pk=first.pk).update(starts_at=_tomorrow_at(17), ends_at=_tomorrow_at(19))
    first.refresh_from_db()
    return group, first


def _child(first_name, email, *, manager, group):
    referral = make_referral(first_name=first_name, last_name="Lind")
    ChildIdentity.objects.filter(referral=referral).update(foster_email=email)
    return services.group_place_child(group=group, referral=referral, placed_by=manager)


@pytest.fixture
def world():
    leader = make_user(Role.GROUP_LEADER, first_name="Lisa", last_name="Ledare")
    manager = make_user(Role.OPERATIONS_MANAGER)
    premises = Premises.objects.create(name="Lilla salen", address="Bris, Storgatan 1")
    group, meeting = _group_meeting_tomorrow(leaders=[leader], premises=premises)
    placements = {
        name: _child(name, f"{name.lower()}@familj.example.se", manager=manager, group=group)
        for name in ("Astrid", "Bertil", "Cecilia")
    }
    return {"leader": leader, "manager": manager, "group": group, "meeting": meeting, "placements": placements}


def _opt_in(world, *names):
    for name in names:
        family_reminders.placement_family_reminders_set(
            placement=world["placements"][name], enabled=True, by=world["leader"]
        )


def test_each_opted_in_family_gets_one_mail_naming_only_the_meeting(world, sweep):
    _opt_in(world, "Astrid", "Bertil")

    assert sweep() == 2

    assert sorted(message.to for message in mail.outbox) == [["astrid@familj.example.se"], ["bertil@familj.example.se"]]
    for message in mail.outbox:
        assert message.cc == [] and message.bcc == []
        html = message.alternatives[0][0]
        for text in (message.subject, message.body, html):
            assert "Fredagsgruppen" in text and "17:00" in text
        for text in (message.body, html):
            assert "19:00" in text and "Lilla salen, Bris, Storgatan 1" in text and "Lisa Ledare" in text
        # Nothing about any child: no names, pseudonyms, identity numbers, other families.
        for placement in world["placements"].values():
            child = placement.referral.child
            for secret in (child.first_name, child.last_name, child.identity_number, placement.referral.pseudonym):
                assert secret not in message.subject + message.body + html
        assert "cecilia@" not in message.body + html
    assert set(FamilyReminder.objects.values_list("outcome", flat=True)) == {FamilyReminder.Outcome.SENT}


def test_a_rerun_sends_no_duplicate(world, sweep):
    _opt_in(world, "Astrid")
    sweep()
    assert sweep() == 0
    family_reminders.family_reminder_send(reminder_id=FamilyReminder.objects.get().pk)
    assert len(mail.outbox) == 1
    assert FamilyReminder.objects.count() == 1


def test_only_tomorrows_meetings_count(world):
    _opt_in(world, "Astrid")
    today = timezone.localdate()
    assert family_reminders.family_reminders_record(today=today + datetime.timedelta(days=1)) == 0
    assert family_reminders.family_reminders_record(today=today - datetime.timedelta(days=1)) == 0
    assert family_reminders.family_reminders_record(today=today) == 1


def test_a_family_that_changed_its_mind_before_the_mail_went_gets_nothing(world):
    _opt_in(world, "Astrid")
    family_reminders.family_reminders_record(today=timezone.localdate())
    family_reminders.placement_family_reminders_set(
        placement=world["placements"]["Astrid"], enabled=False, by=world["leader"]
    )

    assert family_reminders.family_reminder_send(reminder_id=FamilyReminder.objects.get().pk) is False
    assert mail.outbox == []
    assert FamilyReminder.objects.get().outcome == FamilyReminder.Outcome.SKIPPED


def test_a_child_who_left_the_group_or_whose_data_is_purged_gets_nothing(world, sweep):
    _opt_in(world, "Astrid", "Bertil")
    services.placement_remove(placement=world["placements"]["Astrid"], by=world["manager"], reason="Flyttar.")
    bertil = world["placements"]["Bertil"].referral
    referral_transition(referral=bertil, to_status=ReferralStatus.WITHDRAWN, by=world["manager"], reason="Avbryter.")
    referral_purge(referral=bertil, by=world["manager"], rule=PurgeRule.MANUAL)

    sweep()
    assert mail.outbox == []
    assert FamilyReminder.objects.count() == 0


def test_a_failed_mail_is_tried_again_by_the_next_sweep(world, monkeypatch, sweep):
    _opt_in(world, "Astrid")
    family_reminders.family_reminders_record(today=timezone.localdate())
    reminder = FamilyReminder.objects.get()

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("nere")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        family_reminders.family_reminder_send(reminder_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.outcome == FamilyReminder.Outcome.PENDING

    monkeypatch.undo()
    sweep()
    assert [message.to for message in mail.outbox] == [["astrid@familj.example.se"]]


def test_a_reminder_the_broker_held_until_the_meeting_began_is_not_sent_late(world, sweep):
    _opt_in(world, "Astrid")
    family_reminders.family_reminders_record(today=timezone.localdate())
    Meeting.objects.filter(pk=world["meeting"].pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5), ends_at=timezone.now() + datetime.timedelta(hours=2)
    )
    sweep()
    assert mail.outbox == []
    assert FamilyReminder.objects.get().outcome == FamilyReminder.Outcome.SKIPPED


def test_a_weekend_child_in_a_subgroup_hears_about_the_weekends_meeting():
    leader = make_user(Role.GROUP_LEADER)
    manager = make_user(Role.OPERATIONS_MANAGER)
    weekend = make_group(leaders=[leader], format="weekend", name="Helgen", manager=manager)
    referrals = [make_referral(first_name=f"Barn{n}", age=8 + n % 6) for n in range(10)]
    ChildIdentity.objects.filter(referral__in=referrals).update(foster_email="helg@familj.example.se")
    subgroups = services.weekend_split_apply(group=weekend, referrals=referrals, by=manager)
    placement = subgroups[0].placements.first()
    family_reminders.placement_family_reminders_set(placement=placement, enabled=True, by=leader)
    saturday = Meeting.objects.filter(group=weekend).order_by("starts_at").first()

    today = timezone.localdate(saturday.starts_at) - datetime.timedelta(days=1)
    assert family_reminders.family_reminders_record(today=today) == 1
    assert FamilyReminder.objects.get().placement == placement


def test_opting_in_needs_the_familys_email(world):
    placement = world["placements"]["Cecilia"]
    ChildIdentity.objects.filter(referral=placement.referral).update(foster_email="")
    with pytest.raises(ValidationError) as error:
        family_reminders.placement_family_reminders_set(placement=placement, enabled=True, by=world["leader"])
    assert "e-postadress" in error.value.message_dict["enabled"][0]
    placement.refresh_from_db()
    assert placement.family_reminders_since is None


# --- The page ------------------------------------------------------------------------------------


def _page(world, name):
    placement = world["placements"][name]
    return reverse(
        "groups:family_reminders", kwargs={"public_id": world["group"].public_id, "placement_id": placement.pk}
    )


def test_the_groups_leader_records_the_familys_yes_and_sees_it_on_the_group(world, make_signed_in_client):
    client = make_signed_in_client(world["leader"])
    page = client.get(_page(world, "Astrid"))
    assert page.status_code == 200
    assert "astrid@familj.example.se" in page.content.decode()

    response = client.post(_page(world, "Astrid"), {"enabled": "on"})
    assert response.status_code == 302
    placement = world["placements"]["Astrid"]
    placement.refresh_from_db()
    assert placement.family_reminders_since is not None and placement.family_reminders_set_by == world["leader"]

    detail = client.get(reverse("groups:detail", kwargs={"public_id": world["group"].public_id})).content.decode()
    assert f'{_page(world, "Astrid")}">Ja' in detail
    assert f'{_page(world, "Bertil")}">Nej' in detail

    client.post(_page(world, "Astrid"), {})
    placement.refresh_from_db()
    assert placement.family_reminders_since is None


def test_without_an_email_the_error_stands_beside_the_checkbox_and_nothing_is_saved(world, make_signed_in_client):
    placement = world["placements"]["Cecilia"]
    ChildIdentity.objects.filter(referral=placement.referral).update(foster_email="")
    client = make_signed_in_client(world["leader"])
    response = client.post(_page(world, "Cecilia"), {"enabled": "on"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Familjehemmet har ingen e-postadress" in body and "Saknas i anmälan" in body
    assert 'name="enabled"' in body and "checked" in body  # the input is kept
    placement.refresh_from_db()
    assert placement.family_reminders_since is None


def test_another_groups_leader_may_not(world, make_signed_in_client):
    other = make_user(Role.GROUP_LEADER)
    make_group(leaders=[other], name="Andra gruppen")
    response = make_signed_in_client(other).post(_page(world, "Astrid"), {"enabled": "on"})
    assert response.status_code == 403
    placement = world["placements"]["Astrid"]
    placement.refresh_from_db()
    assert placement.family_reminders_since is None


def test_a_group_without_meetings_ahead_takes_no_new_yes(world):
    # As after its last meeting: closed, the children keep their places as history.
    SupportGroup.objects.filter(pk=world["group"].pk).update(status=GroupStatus.CLOSED)
    placement = world["placements"]["Astrid"]
    with pytest.raises(ValidationError) as error:
        family_reminders.placement_family_reminders_set(placement=placement, enabled=True, by=world["leader"])
    assert "inga fler träffar" in error.value.message_dict["enabled"][0]
    placement.refresh_from_db()
    assert placement.family_reminders_since is None
