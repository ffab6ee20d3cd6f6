"""The finance log cannot be lost: PostgreSQL refuses UPDATE and DELETE on it, and deleting what it
refers to (an agreement, a year) is refused rather than cascading into it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import PROTECT, ProtectedError

from finance.models import FinanceAuditEntry
from groups.models import WaitingListAdjustment
from partnership.models import Agreement
from referrals.models import Referral, ReferralTransition
from tests.conftest import require_postgresql
from tests.factories import make_referral

from .helpers import agreement_with_years

pytestmark = pytest.mark.django_db


def test_postgresql_refuses_to_change_or_delete_a_finance_log_entry():
    require_postgresql()
    agreement_with_years()
    entry = FinanceAuditEntry.objects.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        FinanceAuditEntry.objects.filter(pk=entry.pk).update(reason="ändrat i efterhand")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        FinanceAuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM finance_financeauditentry")
    assert FinanceAuditEntry.objects.filter(pk=entry.pk, reason="").exists()


def test_deleting_an_agreement_with_log_entries_is_refused():
    agreement, _years = agreement_with_years()
    count = FinanceAuditEntry.objects.filter(agreement=agreement).count()
    assert count > 0
    with pytest.raises(ProtectedError), transaction.atomic():
        Agreement.objects.filter(pk=agreement.pk).delete()
    assert FinanceAuditEntry.objects.filter(agreement=agreement).count() == count


def test_no_foreign_key_cascades_into_the_finance_log():
    for field in FinanceAuditEntry._meta.get_fields():
        if field.many_to_one:
            assert field.remote_field.on_delete.__name__ == "PROTECT", field.name


def test_no_deletion_cascades_into_a_referrals_history_or_the_waiting_list_moves():
    """The same class of log elsewhere: a referral's status history and the manager's waiting-list
    moves (with their reasons) are PROTECT, never deleted by a cascade."""
    for model in (ReferralTransition, WaitingListAdjustment):
        assert model._meta.get_field("referral").remote_field.on_delete is PROTECT, model
    referral = make_referral()
    assert referral.transitions.exists()
    with pytest.raises(ProtectedError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).delete()
