"""The finance log cannot be lost: PostgreSQL refuses UPDATE and DELETE on it, and deleting what it
refers to (an agreement, a year) is refused rather than cascading into it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError

from finance.models import FinanceAuditEntry
from partnership.models import Agreement
from tests.conftest import require_postgresql

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
