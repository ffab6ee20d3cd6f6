import pytest
from kombu.exceptions import OperationalError

from consent.models import ConcernReport
from consent.tasks import concern_report_notify_district, concern_reports_notify_pending
from partnership.models import Role
from tests.factories import make_referral, make_user

pytestmark = pytest.mark.django_db


def test_a_concern_report_is_saved_when_the_broker_is_down_and_sent_by_the_next_sweep(
    monkeypatch, caplog, mailoutbox, make_signed_in_client, django_capture_on_commit_callbacks
):
    referral = make_referral()
    real_delay = concern_report_notify_district.delay

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(concern_report_notify_district, "delay", broker_down)
    http = make_signed_in_client(make_user(Role.GROUP_LEADER))
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            f"/anmalningar/{referral.public_id}/oro/",
            {"justification": "Barnet berättade om något som oroar oss mycket, och vi måste agera."},
        )
    assert response.status_code == 302  # the page keeps working
    assert "the next sweep retries" in caplog.text
    report = ConcernReport.objects.get()
    assert report.district_notified_at is None and mailoutbox == []

    monkeypatch.setattr(concern_report_notify_district, "delay", real_delay)
    assert concern_reports_notify_pending() == 1
    report.refresh_from_db()
    assert report.district_notified_at is not None and len(mailoutbox) == 1
    assert concern_reports_notify_pending() == 0
