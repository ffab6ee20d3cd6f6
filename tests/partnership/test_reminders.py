import datetime
import smtplib

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from consent.services import consent_record
from groups.models import GroupFormat, Placement, SupportGroup
from partnership import jobs
from partnership.jobs import job_run, job_run_task, jobs_sweep
from partnership.models import Agreement, BackgroundJob, Reminder, Role
from partnership.reminders import REMINDER_MAILS_JOB, reminder_kinds, reminder_send, reminders_sweep_all
from partnership.tasks import reminders_sweep
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
        "waiting_list_review",
    } <= set(reminder_kinds())


def test_missing_consent_reminds_the_districts_social_workers_once(mailoutbox, django_capture_on_commit_callbacks):
    farsta = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    colleague = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    bromma = make_user(Role.SOCIAL_WORKER, district_name="Bromma")
    late = make_referral(submitted_by=farsta, consents=0)
    recent = make_referral(submitted_by=farsta, consents=0, first_name="Nyss")
    _submitted_days_ago(late, 15)
    _submitted_days_ago(recent, 3)

    with django_capture_on_commit_callbacks(execute=True):  # the mail jobs go once the sweep commits
        reminders_sweep.delay()
    with django_capture_on_commit_callbacks(execute=True):
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


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_broker_down_delays_the_mail_and_the_job_sweep_sends_it(
    monkeypatch, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    social_worker = make_user(Role.SOCIAL_WORKER)
    _submitted_days_ago(make_referral(submitted_by=social_worker, consents=0), 20)

    monkeypatch.setattr(job_run_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep()
    assert "wait for the broker" in caplog.text
    assert Reminder.objects.get().sent_at is None and mailoutbox == []
    job = BackgroundJob.objects.get(kind=REMINDER_MAILS_JOB)
    assert (job.state, job.sent_at) == (BackgroundJob.State.QUEUED, None)
    # The next hourly sweep finds the reminder in a waiting job and requests no second one.
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep()
    assert BackgroundJob.objects.filter(kind=REMINDER_MAILS_JOB).count() == 1

    monkeypatch.undo()
    assert jobs_sweep()["sent"] == 1  # the job sweep (every minute) sends the waiting job
    assert Reminder.objects.get().sent_at is not None and len(mailoutbox) == 1
    assert BackgroundJob.objects.get(pk=job.pk).state == BackgroundJob.State.DONE


def _unsent_reminders(count: int) -> list[Reminder]:
    social_worker = make_user(Role.SOCIAL_WORKER)
    for n in range(count):
        _submitted_days_ago(make_referral(submitted_by=social_worker, consents=0, first_name=f"Barn{n}"), 20)
    reminders_sweep_all()
    return list(Reminder.objects.order_by("pk"))


def test_the_sweep_requests_one_job_per_batch_not_a_task_per_row(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    reminders = _unsent_reminders(5)
    monkeypatch.setattr(jobs, "MAIL_BATCH_SIZE", 2)
    sent_to_broker = []
    monkeypatch.setattr(job_run_task, "apply_async", lambda args, **kwargs: sent_to_broker.append(args[0]))

    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep()
    batches = list(BackgroundJob.objects.filter(kind=REMINDER_MAILS_JOB).order_by("pk"))
    assert [job.arguments["ids"] for job in batches] == [
        [reminders[0].pk, reminders[1].pk],
        [reminders[2].pk, reminders[3].pk],
        [reminders[4].pk],
    ]
    assert sent_to_broker == [job.pk for job in batches]  # three messages, not five

    # Run again while the jobs wait for a worker: nothing new is requested or sent.
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep()
    assert BackgroundJob.objects.filter(kind=REMINDER_MAILS_JOB).count() == 3
    assert len(sent_to_broker) == 3

    for job in batches:
        job_run(job.pk)
    assert len(mailoutbox) == 5
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()


def test_a_batch_job_run_again_sends_nothing_twice(mailoutbox, django_capture_on_commit_callbacks):
    _unsent_reminders(3)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep()
    job = BackgroundJob.objects.get(kind=REMINDER_MAILS_JOB)
    assert job.state == BackgroundJob.State.DONE and job.result["sent"] == 3
    assert len(mailoutbox) == 3

    # As when the sweep requeues a job whose worker was presumed dead, or the broker delivers twice.
    BackgroundJob.objects.filter(pk=job.pk).update(state=BackgroundJob.State.QUEUED)
    assert job_run(job.pk).result == {"rows": 3, "sent": 0, "refused": 0}
    assert job_run(job.pk) is None  # nothing left to claim
    assert len(mailoutbox) == 3


def test_a_worker_that_died_mid_batch_leaves_the_rest_to_the_rerun(mailoutbox, django_capture_on_commit_callbacks):
    reminders = _unsent_reminders(3)
    reminder_send(reminders[0].pk)  # what the dead worker got to send
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep()
    assert len(mailoutbox) == 3
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(reminder.recipient.email for reminder in reminders)


def test_a_mail_server_that_fails_leaves_the_rows_for_the_next_run(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    _unsent_reminders(2)

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("nere")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep()
    job = BackgroundJob.objects.get(kind=REMINDER_MAILS_JOB)
    # A passing failure: the job waits in the queue for the job sweep, the rows stay unsent.
    assert (job.state, job.sent_at, job.error) == (BackgroundJob.State.QUEUED, None, "SMTPServerDisconnected")
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 2 and mailoutbox == []

    monkeypatch.undo()
    jobs_sweep()
    assert BackgroundJob.objects.get(pk=job.pk).state == BackgroundJob.State.DONE
    assert len(mailoutbox) == 2 and not Reminder.objects.filter(sent_at__isnull=True).exists()


def test_a_reminder_closed_before_its_mail_went_is_not_mailed(mailoutbox, django_capture_on_commit_callbacks):
    reminders = _unsent_reminders(2)
    Reminder.objects.filter(pk=reminders[0].pk).update(done_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep()
    assert len(mailoutbox) == 1


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
