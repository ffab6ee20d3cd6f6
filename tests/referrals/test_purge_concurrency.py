import threading

import pytest
from django.db import connection

from referrals.models import PurgeRecord, PurgeRule, Referral
from referrals.purge import referral_purge
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
