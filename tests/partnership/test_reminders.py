import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from consent.services import consent_record
from groups.models import GroupFormat, Placement, SupportGroup
from partnership.models import Agreement, Reminder, Role
from partnership.reminders import reminder_kinds, reminders_sweep_all
from partnership.tasks import reminder_send, reminders_sweep
from referrals import purge, retention
from referrals.models import PurgeRule, Referral
from tests.factories import make_agreement, make_referral, make_user
from tests.referrals.lifecycle import documented_child

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _submitted_days_ago(referral, days):
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))


def test_the_kinds_on_main_are_registered():
    assert {
        "consent_missing",
        "purge_due",
        "purge_done",
        "agreement_ending",
        "district_not_informed",
    } <= set(reminder_kinds())


def test_missing_consent_reminds_the_districts_social_workers_once(mailoutbox):
    farsta = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    colleague = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    bromma = make_user(Role.SOCIAL_WORKER, district_name="Bromma")
    late = make_referral(submitted_by=farsta, consents=0)
    recent = make_referral(submitted_by=farsta, consents=0, first_name="Nyss")
    _submitted_days_ago(late, 15)
    _submitted_days_ago(recent, 3)

    reminders_sweep.delay()
    reminders_sweep.delay()  # a rerun (or an overlapping beat) duplicates nothing

    reminders = Reminder.objects.filter(kind="consent_missing")
    assert sorted(reminders.values_list("recipient__username", flat=True)) == sorted(
        [farsta.username, colleague.username]
    )
    assert all(reminder.subject_id == late.pk for reminder in reminders)
    assert not Reminder.objects.filter(recipient=bromma).exists()
    assert len(mailoutbox) == 2
    mail = mailoutbox[0]
    assert late.pseudonym in mail.body and "Samtycke saknas" in mail.subject
    assert late.child.identity_number not in mail.body + mail.subject + mail.alternatives[0][0]
    assert late.child.first_name not in mail.body
    assert reminders.filter(sent_at__isnull=True).count() == 0


def test_lvu_referrals_need_no_consent_reminder():
    referral = make_referral(placement_basis="lvu")
    Referral.objects.filter(pk=referral.pk).update(status="submitted")
    _submitted_days_ago(referral, 30)
    reminders_sweep_all()
    assert not Reminder.objects.filter(kind="consent_missing").exists()


def test_coming_purge_and_done_purge_remind_the_operations_managers(mailoutbox):
    manager = make_user(Role.OPERATIONS_MANAGER)
    leader = make_user(Role.GROUP_LEADER)
    soon = documented_child(first_name="Snart", last_name="Gallrad", ended_days_ago=25).referral
    later = documented_child(first_name="Senare", last_name="Gallrad", ended_days_ago=5).referral

    reminders_sweep_all()
    due = Reminder.objects.get(kind="purge_due", recipient=manager)
    assert (due.recipient, due.subject_id) == (manager, soon.pk)
    assert due.due_on == retention.purge_due_on(soon)
    assert "Snart" not in due.summary and soon.pseudonym in due.summary
    assert not Reminder.objects.filter(subject_id=later.pk, kind="purge_due").exists()
    assert not Reminder.objects.filter(recipient=leader).exists()

    purge.referral_purge(referral=soon, by=manager, rule=PurgeRule.MANUAL)
    reminders_sweep_all()
    reminders_sweep_all()
    done = Reminder.objects.get(kind="purge_done", recipient=manager)
    assert done.recipient == manager and soon.pseudonym in done.summary


def test_agreement_ending_within_90_days_reminds_coordinator_and_manager():
    today = timezone.localdate()
    ending = make_agreement(starts_on=today - datetime.timedelta(days=600), ends_on=today + datetime.timedelta(days=60))
    make_agreement(starts_on=today, ends_on=today + datetime.timedelta(days=400))
    coordinator = make_user(Role.COORDINATOR)
    manager = make_user(Role.OPERATIONS_MANAGER)
    make_user(Role.SOCIAL_WORKER)

    assert reminders_sweep_all()["agreement_ending"] == 2
    assert reminders_sweep_all()["agreement_ending"] == 0
    reminders = Reminder.objects.filter(kind="agreement_ending")
    assert set(reminders.values_list("recipient", flat=True)) == {coordinator.pk, manager.pk}
    assert {reminder.subject_id for reminder in reminders} == {ending.pk}
    assert Agreement.objects.count() == 2


def test_broker_down_delays_the_mail_and_the_next_sweep_sends_it(monkeypatch, caplog, mailoutbox):

    social_worker = make_user(Role.SOCIAL_WORKER)
    _submitted_days_ago(make_referral(submitted_by=social_worker, consents=0), 20)
    real_delay = reminder_send.delay

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(reminder_send, "delay", broker_down)
    reminders_sweep()
    assert "the next sweep retries" in caplog.text
    assert Reminder.objects.get().sent_at is None and mailoutbox == []

    monkeypatch.setattr(reminder_send, "delay", real_delay)
    reminders_sweep()
    assert Reminder.objects.get().sent_at is not None and len(mailoutbox) == 1


# --- Views ---------------------------------------------------------------------------------------


@pytest.fixture
def reminders_of_a_social_worker():
    social_worker = make_user(Role.SOCIAL_WORKER)
    for n in range(3):
        _submitted_days_ago(make_referral(submitted_by=social_worker, consents=0, first_name=f"Barn{n}"), 20)
    reminders_sweep_all()
    return social_worker, list(Reminder.objects.filter(recipient=social_worker))


def test_user_sees_own_reminders_and_marks_one_done(
    reminders_of_a_social_worker, make_signed_in_client, django_assert_max_num_queries
):
    social_worker, reminders = reminders_of_a_social_worker
    http = make_signed_in_client(social_worker)
    # session, user, OTP device, membership, session touch (idle timeout), the open reminders'
    # count (pages of 50) and the page of them, done reminders and the menu's lookups: a fixed
    # number, whatever the number of reminders.
    with django_assert_max_num_queries(10):
        response = http.get(reverse("reminders"))
    page = response.content.decode()
    assert response.status_code == 200
    assert all(reminder.summary in page for reminder in reminders)
    assert "Barn0" not in page

    response = http.post(reverse("reminder_done", kwargs={"public_id": reminders[0].public_id}))
    assert response.status_code == 302
    reminders[0].refresh_from_db()
    assert reminders[0].done_at is not None
    assert "Senast klarmarkerade" in http.get(reverse("reminders")).content.decode()


def test_another_users_reminder_is_404(reminders_of_a_social_worker, make_signed_in_client):
    _, reminders = reminders_of_a_social_worker
    http = make_signed_in_client(make_user(Role.SOCIAL_WORKER))
    assert reminders[0].summary not in http.get(reverse("reminders")).content.decode()
    response = http.post(reverse("reminder_done", kwargs={"public_id": reminders[0].public_id}))
    assert response.status_code == 404
    reminders[0].refresh_from_db()
    assert reminders[0].done_at is None


def test_marking_done_takes_post_only_and_needs_login(reminders_of_a_social_worker, client, make_signed_in_client):
    social_worker, reminders = reminders_of_a_social_worker
    url = reverse("reminder_done", kwargs={"public_id": reminders[0].public_id})
    assert client.post(url)["Location"].startswith(reverse("login"))
    assert make_signed_in_client(social_worker).get(url).status_code == 405


def test_a_reminder_closes_itself_when_its_reason_is_gone():

    social_worker = make_user(Role.SOCIAL_WORKER)
    referral = make_referral(submitted_by=social_worker, guardians=1, consents=0)
    _submitted_days_ago(referral, 20)
    reminders_sweep_all()
    reminder = Reminder.objects.get(kind="consent_missing")
    assert reminder.done_at is None

    consent_record(
        referral=referral,
        guardian=referral.guardians.get(),
        given_on=timezone.localdate(),
        method="meeting",
        information_given="Information om gruppen.",
        recorded_by=social_worker,
    )
    reminders_sweep_all()
    reminder.refresh_from_db()
    assert reminder.done_at is not None
    assert Reminder.objects.count() == 1


def test_a_placed_child_whose_district_was_not_informed_reminds_bris_and_the_district():

    manager = make_user(Role.OPERATIONS_MANAGER)
    social_worker = make_user(Role.SOCIAL_WORKER)
    today = timezone.localdate()
    soon = SupportGroup.objects.create(
        agreement=make_agreement(),
        name="Snart",
        format=GroupFormat.WEEKLY,
        min_age=7,
        max_age=12,
        starts_on=today + datetime.timedelta(days=5),
    )
    later = SupportGroup.objects.create(
        agreement=soon.agreement,
        name="Senare",
        format=GroupFormat.WEEKLY,
        min_age=7,
        max_age=12,
        starts_on=today + datetime.timedelta(days=60),
    )
    uninformed, informed, uninformed_later = (make_referral(submitted_by=social_worker) for _ in range(3))
    Referral.objects.filter(pk__in=[uninformed.pk, uninformed_later.pk]).update(district_acknowledged_at=None)
    for referral, group in ((uninformed, soon), (informed, soon), (uninformed_later, later)):
        Placement.objects.create(group=group, referral=referral, placed_by=manager)

    reminders_sweep_all()
    reminders_sweep_all()
    reminders = Reminder.objects.filter(kind="district_not_informed")
    assert set(reminders.values_list("recipient", "subject_id")) == {
        (manager.pk, uninformed.pk),
        (social_worker.pk, uninformed.pk),
    }
    assert reminders.first().due_on == soon.starts_on
