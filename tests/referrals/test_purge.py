import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from kombu.exceptions import OperationalError

from consent.models import ConcernReport
from partnership.models import AccessLogEntry, Role
from referrals import purge
from referrals.models import (
    ChildIdentity,
    Guardian,
    PurgeRecord,
    PurgeRule,
    Referral,
    RetentionChoice,
)
from referrals.selectors import referrals_purge_due
from referrals.tasks import purge_due_sweep, referral_purge_task
from tests.factories import make_referral, make_user
from tests.history import status_changes
from tests.referrals.lifecycle import DOCUMENTED_CHILD_COUNTS, database_text, documented_child, files_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def manager(db):
    return make_user(Role.OPERATIONS_MANAGER, username="gallrare")


def test_purge_leaves_no_trace_of_the_child_in_any_table_or_file(
    manager, media_root, django_capture_on_commit_callbacks
):
    documented = documented_child()
    assert (media_root / documented.document_name).exists()
    before = database_text()
    assert all(secret in before for secret in documented.secrets[:2])  # the search can find them

    with django_capture_on_commit_callbacks(execute=True):
        purge.referral_purge(referral=documented.referral, by=manager, rule=PurgeRule.GRACE_PERIOD)

    dump, stored_files = database_text(), files_text(media_root)
    for secret in documented.secrets:
        assert secret not in dump, f"{secret!r} survived in the database"
        assert secret not in stored_files, f"{secret!r} survived in a file"
    assert not (media_root / documented.document_name).exists()


def test_purge_keeps_the_anonymous_record_statistics_and_access_log(manager, django_capture_on_commit_callbacks):
    documented = documented_child()
    referral = documented.referral
    log_before = list(AccessLogEntry.objects.order_by("pk").values_list("pk", "child_pseudonym", "action", "what"))
    transitions_before = [(change.old, change.new, change.by, change.at) for change in status_changes(referral)]

    with django_capture_on_commit_callbacks(execute=True):
        record = purge.referral_purge(referral=referral, by=manager, rule=PurgeRule.GRACE_PERIOD)

    referral.refresh_from_db()
    assert referral.purged_at is not None
    assert referral.retention_choice == RetentionChoice.PURGE
    # The anonymous record: pseudonym, district, age, basis, dates, status.
    assert (referral.district.name, referral.placement_basis, referral.status) == ("Farsta", "sol", "withdrawn")
    assert referral.age_at_planned_start == 10
    assert referral.placements.get().group.format == "weekly"
    assert [(change.old, change.new, change.by, change.at) for change in status_changes(referral)] == transitions_before
    assert ConcernReport.objects.filter(referral=referral).count() == 1
    # The access log is append-only and untouched; the purge itself is not an access.
    log_after = list(AccessLogEntry.objects.order_by("pk").values_list("pk", "child_pseudonym", "action", "what"))
    assert log_after == log_before
    # The record proves what happened without holding any of it.
    assert (record.pseudonym, record.rule, record.purged_by, record.grace_days) == (
        referral.pseudonym,
        PurgeRule.GRACE_PERIOD,
        manager,
        30,
    )
    assert record.counts == DOCUMENTED_CHILD_COUNTS
    record.refresh_from_db()
    assert record.pending_files == [] and record.files_deleted_at is not None


def test_detail_page_of_a_purged_referral_shows_no_identity(manager, make_signed_in_client):
    documented = documented_child()
    purge.referral_purge(referral=documented.referral, by=manager, rule=PurgeRule.GRACE_PERIOD)
    http = make_signed_in_client(documented.referral.submitted_by)
    response = http.get(f"/anmalningar/{documented.referral.public_id}/")
    assert response.status_code == 200
    assert documented.referral.pseudonym in response.content.decode()
    assert "Ingeborg" not in response.content.decode()
    assert "Uppgifterna om barnet gallrades" in response.content.decode()


def test_a_crash_halfway_purges_nothing_and_a_rerun_finishes_the_job(
    manager, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    documented = documented_child()
    referral = documented.referral

    def worker_dies(referral, counts, files):
        raise RuntimeError("worker killed")

    # Die after the guardians and consents are deleted, before the identity goes.
    steps = purge.PURGE_STEPS
    monkeypatch.setattr(purge, "PURGE_STEPS", [*steps[:2], worker_dies, *steps[2:]])
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        referral_purge_task.delay(referral.pk)

    referral.refresh_from_db()
    assert referral.purged_at is None
    assert not PurgeRecord.objects.exists()
    assert Guardian.objects.filter(referral=referral).count() == 2
    assert ChildIdentity.objects.filter(referral=referral).exists()
    assert any(change.reason for change in status_changes(referral))
    assert (media_root / documented.document_name).exists()

    monkeypatch.setattr(purge, "PURGE_STEPS", steps)
    with django_capture_on_commit_callbacks(execute=True):
        referral_purge_task.delay(referral.pk)

    referral.refresh_from_db()
    assert referral.purged_at is not None
    dump = database_text()
    assert not [secret for secret in documented.secrets if secret in dump]
    assert not (media_root / documented.document_name).exists()


def test_a_crash_after_commit_leaves_files_that_the_rerun_deletes(
    manager, media_root, django_capture_on_commit_callbacks
):
    documented = documented_child()
    # Without executing the on-commit callbacks: as if the worker died right after the commit.
    record = purge.referral_purge(referral=documented.referral, by=manager, rule=PurgeRule.GRACE_PERIOD)
    assert record.pending_files == [documented.document_name]
    assert (media_root / documented.document_name).exists()

    with django_capture_on_commit_callbacks(execute=True):
        again = purge.referral_purge(referral=documented.referral, by=None, rule=PurgeRule.GRACE_PERIOD)

    assert again.pk == record.pk and PurgeRecord.objects.count() == 1
    again.refresh_from_db()
    assert again.files_deleted_at is not None and again.purged_by == manager
    assert not (media_root / documented.document_name).exists()


def test_purging_twice_changes_nothing_the_second_time(manager, django_capture_on_commit_callbacks):
    documented = documented_child()
    with django_capture_on_commit_callbacks(execute=True):
        first = purge.referral_purge(referral=documented.referral, by=manager, rule=PurgeRule.MANUAL)
    with django_capture_on_commit_callbacks(execute=True):
        second = purge.referral_purge(referral=documented.referral, by=manager, rule=PurgeRule.GRACE_PERIOD)
    assert first.pk == second.pk
    second.refresh_from_db()
    assert second.rule == PurgeRule.MANUAL


def test_an_active_referral_cannot_be_purged(manager):
    referral = make_referral()
    with pytest.raises(ValidationError, match="avslutade"):
        purge.referral_purge(referral=referral, by=manager, rule=PurgeRule.MANUAL)
    assert ChildIdentity.objects.filter(referral=referral).exists()


def test_the_grace_period_rule_waits_for_the_grace_period(manager, settings):
    documented = documented_child(ended_days_ago=10)
    with pytest.raises(ValidationError, match="Gallringsfristen"):
        purge.referral_purge(referral=documented.referral, by=None, rule=PurgeRule.GRACE_PERIOD)
    settings.PURGE_GRACE_DAYS = 10
    purge.referral_purge(referral=documented.referral, by=None, rule=PurgeRule.GRACE_PERIOD)
    assert Referral.objects.get(pk=documented.referral.pk).purged_at is not None


def test_the_manager_may_purge_before_the_grace_period_ends(manager):
    documented = documented_child(ended_days_ago=1)
    record = purge.referral_purge(referral=documented.referral, by=manager, rule=PurgeRule.MANUAL)
    assert record.rule == PurgeRule.MANUAL


def test_due_selection_counts_the_grace_period_in_local_days(settings):
    past = documented_child(first_name="Astrid", last_name="Förfallen", ended_days_ago=30).referral
    inside = documented_child(first_name="Bodil", last_name="Inomfristen", ended_days_ago=29).referral
    due = set(referrals_purge_due(on=timezone.localdate()))
    assert past in due and inside not in due
    assert inside in set(referrals_purge_due(on=timezone.localdate() + datetime.timedelta(days=1)))


def test_daily_sweep_purges_only_what_is_due(django_capture_on_commit_callbacks):
    past = documented_child(first_name="Astrid", last_name="Förfallen", ended_days_ago=45).referral
    inside = documented_child(first_name="Bodil", last_name="Inomfristen", ended_days_ago=5).referral
    active = make_referral()
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_due_sweep.delay().get() == 1
    assert Referral.objects.get(pk=past.pk).purged_at is not None
    assert Referral.objects.get(pk=inside.pk).purged_at is None
    assert Referral.objects.get(pk=active.pk).purged_at is None
    assert PurgeRecord.objects.get().purged_by is None
    # The next day's run finds nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_due_sweep.delay().get() == 0


def test_sweep_logs_and_survives_when_the_broker_is_down(monkeypatch, caplog):

    documented_child(ended_days_ago=45)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(referral_purge_task, "delay", broker_down)
    assert purge_due_sweep() == 0
    assert "the next sweep retries" in caplog.text
    assert Referral.objects.filter(purged_at__isnull=True, ended_at__isnull=False).count() == 1


def test_command_dry_run_lists_pseudonyms_only_and_purges_nothing(capsys):
    documented = documented_child(ended_days_ago=45)
    call_command("purge_due", "--dry-run")
    output = capsys.readouterr().out
    assert documented.referral.pseudonym in output
    assert not [secret for secret in documented.secrets if secret in output]
    assert Referral.objects.get(pk=documented.referral.pk).purged_at is None


def test_command_purges_what_is_due(capsys):
    documented = documented_child(ended_days_ago=45)
    inside = documented_child(first_name="Bodil", last_name="Inomfristen", ended_days_ago=5).referral
    call_command("purge_due")
    assert f"Gallrad: {documented.referral.pseudonym}" in capsys.readouterr().out
    assert Referral.objects.get(pk=documented.referral.pk).purged_at is not None
    assert Referral.objects.get(pk=inside.pk).purged_at is None
