"""Reports read from a PostgreSQL read replica when DATABASE_REPLICA_URL is set (README, Deployment)."""

import json
import os
import subprocess
import sys

import pytest

from config.routers import ReportReplicaRouter
from followup import report as followup_report
from partnership.models import AccessLogEntry
from partnership.replica import in_report_reads, report_reads
from referrals.models import Referral
from tests.factories import make_agreement

REQUIRED = {
    "SECRET_KEY": "s",
    "FIELD_ENCRYPTION_KEY": "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3Qtc2VjcmV0LTE=",
    "IDENTITY_HASH_KEY": "test-only-identity-hash-key-not-secret-0123456789",
    "DATABASE_URL": "postgres://app@primary:5432/gruppstod",
}


def _databases(**environment) -> dict:
    code = (
        "import json, config.settings as s; print(json.dumps({'aliases': sorted(s.DATABASES), "
        "'report': s.REPORT_DATABASE, 'routers': s.DATABASE_ROUTERS, "
        "'replica_host': s.DATABASES.get('replica', {}).get('HOST')}))"
    )
    env = {"PATH": os.environ["PATH"], **REQUIRED, **environment}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_replica_url_every_read_uses_the_primary():
    databases = _databases()
    assert databases["aliases"] == ["default"] and databases["report"] == "default"


def test_a_replica_url_adds_the_replica_alias_for_reports():
    databases = _databases(DATABASE_REPLICA_URL="postgres://reader@replica:5432/gruppstod")
    assert databases["aliases"] == ["default", "replica"]
    assert (databases["report"], databases["replica_host"]) == ("replica", "replica")
    assert databases["routers"] == ["config.routers.ReportReplicaRouter"]


def test_the_router_sends_report_reads_to_the_replica_and_nothing_else(settings):
    settings.REPORT_DATABASE = "replica"
    router = ReportReplicaRouter()
    with report_reads():
        assert router.db_for_read(Referral) == "replica"
        assert router.db_for_write(Referral) is None  # writes always go to the primary
    assert router.db_for_read(AccessLogEntry) is None  # a page's reads see what was just saved
    assert router.allow_migrate("replica", "referrals") is False
    assert router.allow_migrate("default", "referrals") is True


def test_without_a_replica_the_router_leaves_report_reads_on_the_primary(settings):
    settings.REPORT_DATABASE = "default"
    with report_reads():
        assert ReportReplicaRouter().db_for_read(Referral) is None


@pytest.mark.django_db
def test_the_follow_up_report_reads_its_figures_as_report_reads(monkeypatch):
    agreement = make_agreement()
    seen = []
    budget_against_costs = followup_report.budget_against_costs

    def spy(**kwargs):
        seen.append(in_report_reads())
        return budget_against_costs(**kwargs)

    monkeypatch.setattr(followup_report, "budget_against_costs", spy)
    followup_report.followup_report_data(agreement=agreement, year=agreement.starts_on.year)
    assert seen == [True]
    assert not in_report_reads()
