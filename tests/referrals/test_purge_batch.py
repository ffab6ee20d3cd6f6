"""The purge of many children at once (IOP 2.3): one transaction, set-based, and still each child's
own counts, all or nothing, in as many statements for many children as for one."""

import pytest
from django.utils import timezone

from consent.models import ConcernReport, GuardianConsent
from groups.models import Placement
from partnership.models import Role
from referrals import purge
from referrals.models import ChildIdentity, Guardian, PurgeRecord, PurgeRule, Referral
from tests.factories import make_referral, make_user
from tests.referrals.lifecycle import DOCUMENTED_CHILD_COUNTS as EVERYTHING
from tests.referrals.lifecycle import documented_child

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _child_with_less(first_name: str):
    """A documented child missing the second guardian (and that guardian's consent, the one
    without a scan) and whose concern report says nothing any more."""
    referral = documented_child(first_name=first_name, last_name="Mindre").referral
    consent = GuardianConsent.objects.get(referral=referral, document="")
    consent.delete()
    Guardian.objects.filter(pk=consent.guardian_id).delete()
    ConcernReport.objects.filter(referral=referral).update(justification="")
    return referral


def _child_without_identity_or_group_notes(first_name: str):
    referral = documented_child(first_name=first_name, last_name="Utan").referral
    ChildIdentity.objects.filter(referral=referral).delete()
    Placement.objects.filter(referral=referral).update(age_override_reason="", removal_reason="")
    return referral


def test_each_child_of_a_mixed_batch_gets_its_own_counts(django_capture_on_commit_callbacks, media_root):
    manager = make_user(Role.OPERATIONS_MANAGER, username="gallrare")
    full = documented_child().referral
    less = _child_with_less("Bodil")
    bare = _child_without_identity_or_group_notes("Cecilia")
    active = make_referral(first_name="Dagny")
    earlier = documented_child(first_name="Elsa", last_name="Tidigare").referral
    earlier_record = purge.referral_purge(referral=earlier, by=None, rule=PurgeRule.MANUAL)

    with django_capture_on_commit_callbacks(execute=True):
        records = purge.referrals_purge(
            referral_ids=[full.pk, less.pk, bare.pk, active.pk, earlier.pk], by=manager, rule=PurgeRule.GRACE_PERIOD
        )

    by_child = {record.referral_id: record for record in records}
    assert set(by_child) == {full.pk, less.pk, bare.pk, earlier.pk}
    assert by_child[full.pk].counts == EVERYTHING
    assert by_child[less.pk].counts == {**EVERYTHING, "consents": 1, "guardians": 1, "concern_reports": 0}
    assert by_child[bare.pk].counts == {**EVERYTHING, "child_identity": 0, "group_records": 0}
    # The child purged before keeps its first record; the active child is left alone.
    assert by_child[earlier.pk].pk == earlier_record.pk and by_child[earlier.pk].rule == PurgeRule.MANUAL
    assert Referral.objects.get(pk=active.pk).purged_at is None
    assert ChildIdentity.objects.filter(referral=active).exists()
    assert Guardian.objects.filter(referral=active).count() == 2
    for referral in (full, less, bare):
        record = PurgeRecord.objects.get(referral=referral)
        assert (record.purged_by, record.rule) == (manager, PurgeRule.GRACE_PERIOD)
        assert record.pseudonym == referral.pseudonym
        assert record.pending_files == [] and record.files_deleted_at is not None
        assert not Guardian.objects.filter(referral=referral).exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_a_step_failing_halfway_through_a_batch_purges_none_of_its_children(monkeypatch):
    children = [documented_child(first_name=name).referral for name in ("Astrid", "Bodil", "Cecilia")]

    def worker_dies(referral_ids, counts, files):
        raise RuntimeError("worker killed")

    steps = purge.PURGE_STEPS
    monkeypatch.setattr(purge, "PURGE_STEPS", [*steps[:-1], worker_dies, steps[-1]])
    with pytest.raises(RuntimeError):
        purge.referrals_purge(referral_ids=[child.pk for child in children], by=None, rule=PurgeRule.MANUAL)

    assert not PurgeRecord.objects.exists()
    for child in children:
        assert Referral.objects.get(pk=child.pk).purged_at is None
        assert Guardian.objects.filter(referral=child).count() == 2
        assert ChildIdentity.objects.filter(referral=child).exists()
        assert GuardianConsent.objects.filter(referral=child).count() == 2
        assert ConcernReport.objects.get(referral=child).justification != ""


def test_a_batch_runs_as_many_queries_for_many_children_as_for_one(django_assert_max_num_queries):
    one = documented_child(first_name="Astrid").referral
    many = [documented_child(first_name=name).referral for name in ("Bodil", "Cecilia", "Dagny", "Elsa")]

    with django_assert_max_num_queries(40) as single:
        purge.referrals_purge(referral_ids=[one.pk], by=None, rule=PurgeRule.MANUAL)
    with django_assert_max_num_queries(len(single.captured_queries)):
        records = purge.referrals_purge(referral_ids=[child.pk for child in many], by=None, rule=PurgeRule.MANUAL)
    assert len(records) == 4


def test_the_sweep_purges_the_oldest_due_first_in_batches(monkeypatch):
    monkeypatch.setattr(purge, "PURGE_BATCH", 2)
    newest, oldest, middle = (
        documented_child(first_name=name, ended_days_ago=days).referral
        for name, days in (("Astrid", 35), ("Bodil", 60), ("Cecilia", 45))
    )
    not_due = documented_child(first_name="Dagny", ended_days_ago=5).referral
    today = timezone.localdate()

    assert purge.purge_due_batch(on=today) == 2
    assert set(Referral.objects.filter(purged_at__isnull=False).values_list("pk", flat=True)) == {oldest.pk, middle.pk}
    assert purge.purge_due_batch(on=today) == 1
    assert Referral.objects.get(pk=newest.pk).purged_at is not None
    assert purge.purge_due_batch(on=today) == 0
    assert Referral.objects.get(pk=not_due.pk).purged_at is None
