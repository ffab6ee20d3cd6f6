import time

import pytest
from kombu.exceptions import OperationalError

from consent.models import ConcernReport
from consent.services import CONCERN_REPORT_MAILS_JOB
from consent.tasks import concern_reports_notify_pending
from partnership.jobs import job_run_task, jobs_sweep
from partnership.models import BackgroundJob, Role
from tests.factories import make_referral, make_user

pytestmark = pytest.mark.django_db


def test_a_concern_report_is_saved_when_the_broker_is_down_and_sent_once_it_is_back(
    monkeypatch, caplog, mailoutbox, make_signed_in_client, django_capture_on_commit_callbacks
):
    referral = make_referral()

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(job_run_task, "apply_async", broker_down)
    http = make_signed_in_client(make_user(Role.GROUP_LEADER))
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            f"/anmalningar/{referral.public_id}/oro/",
            {"justification": "Barnet berättade om något som oroar oss mycket, och vi måste agera."},
        )
    assert time.monotonic() - started < 2
    assert response.status_code == 302  # the page keeps working
    assert "wait for the broker" in caplog.text
    report = ConcernReport.objects.get()
    assert report.district_notified_at is None and mailoutbox == []
    job = BackgroundJob.objects.get(kind=CONCERN_REPORT_MAILS_JOB)
    assert (job.state, job.sent_at, job.arguments) == (BackgroundJob.State.QUEUED, None, {"ids": [report.pk]})
    # The hourly sweep finds the report in the waiting job and asks for no second one.
    with django_capture_on_commit_callbacks(execute=True):
        assert concern_reports_notify_pending() == 0

    monkeypatch.undo()
    assert jobs_sweep()["sent"] == 1  # the job sweep, every minute, sends it once the broker is back
    report.refresh_from_db()
    assert report.district_notified_at is not None and len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert concern_reports_notify_pending() == 0
    assert len(mailoutbox) == 1
