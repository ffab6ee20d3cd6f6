import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from referrals.models import ChildIdentity, PurgeRecord, PurgeRule, Referral
from referrals.purge import purge_due_batch, referral_purge
from tests.conftest import require_postgresql
from tests.referrals.lifecycle import documented_child

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def test_two_workers_purging_the_same_child_at_once_purge_it_once(settings, tmp_path):
    require_postgresql()
    settings.MEDIA_ROOT = tmp_path
    referral = documented_child(ended_days_ago=45).referral
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait()
            referral_purge(referral=Referral.objects.get(pk=referral.pk), by=None, rule=PurgeRule.GRACE_PERIOD)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert PurgeRecord.objects.count() == 1
    record = PurgeRecord.objects.get()
    assert record.counts["child_identity"] == 1 and record.files_deleted_at is not None


def test_the_sweep_skips_a_child_another_transaction_holds_and_takes_it_next_time(settings, tmp_path):
    require_postgresql()
    settings.MEDIA_ROOT = tmp_path
    held = documented_child(first_name="Astrid", ended_days_ago=60).referral
    free = documented_child(first_name="Bodil", ended_days_ago=45).referral
    locked, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                Referral.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        assert purge_due_batch(on=timezone.localdate()) == 1
        assert Referral.objects.get(pk=held.pk).purged_at is None
        assert Referral.objects.get(pk=free.pk).purged_at is not None
        assert ChildIdentity.objects.filter(referral=held).exists()
    finally:
        release.set()
        thread.join(timeout=30)
    assert purge_due_batch(on=timezone.localdate()) == 1
    assert Referral.objects.get(pk=held.pk).purged_at is not None
    assert PurgeRecord.objects.count() == 2
