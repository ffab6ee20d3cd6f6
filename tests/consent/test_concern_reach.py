"""The duty to report reaches someone: with no social worker email in the district the concern
falls back to the case officer and the district's contact list; with nobody at all it stays open,
the coordinator and Bris' operations managers are alerted, and the page says so."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from consent.jobs import concern_report_notify_district
from consent.models import ConcernReport
from consent.services import concern_report_create
from consent.tasks import concern_reports_notify_pending
from followup.models import DistrictContact
from partnership.models import Role
from referrals.models import Referral
from tests.factories import district, make_referral, make_user

pytestmark = pytest.mark.django_db

JUSTIFICATION = "Barnet berättade i gruppen att hen blir slagen hemma och har blåmärken på armarna."


def referral_without_reachable_social_workers(**fields) -> Referral:
    """A Farsta referral whose district's social workers have no email address."""
    referral = make_referral(**fields)
    get_user_model().objects.filter(membership__role=Role.SOCIAL_WORKER).update(email="")
    return referral


def report_concern(referral, reporter, capture) -> ConcernReport:
    with capture(execute=True):
        return concern_report_create(referral=referral, reported_by=reporter, justification=JUSTIFICATION)


def test_no_social_worker_email_falls_back_to_the_case_officer_and_the_contact_list(
    django_capture_on_commit_callbacks,
):
    referral = referral_without_reachable_social_workers(case_officer_email="handlaggare@farsta.example.se")
    DistrictContact.objects.create(
        district=district("Farsta"), name="Kim", role="Mottagning", email="mottagning@farsta.example.se"
    )
    DistrictContact.objects.create(district=district("Bromma"), name="Bo", role="Mottagning", email="bromma@example.se")
    DistrictContact.objects.create(
        district=district("Farsta"), name="Gammal", role="Slutat", email="slutat@farsta.example.se", is_active=False
    )

    report = report_concern(referral, make_user(Role.GROUP_LEADER), django_capture_on_commit_callbacks)

    report.refresh_from_db()
    assert report.district_notified_at is not None
    assert [sorted(message.to) for message in mail.outbox] == [
        ["handlaggare@farsta.example.se", "mottagning@farsta.example.se"]
    ]


def test_with_nobody_to_reach_the_concern_stays_open_and_the_coordinator_and_manager_are_alerted(
    django_capture_on_commit_callbacks,
):
    referral = referral_without_reachable_social_workers()
    coordinator = make_user(Role.COORDINATOR, email="samordnare@stad.example.se")
    manager = make_user(Role.OPERATIONS_MANAGER, email="chef@bris.example.se")
    make_user(Role.GROUP_LEADER, email="ledare@bris.example.se")

    report = report_concern(referral, make_user(Role.GROUP_LEADER), django_capture_on_commit_callbacks)

    report.refresh_from_db()
    assert report.district_notified_at is None  # not marked as sent with zero recipients
    assert report.unreachable_since is not None
    assert len(mail.outbox) == 1
    alert = mail.outbox[0]
    assert sorted(alert.to) == sorted([coordinator.email, manager.email])
    assert referral.pseudonym in alert.subject and referral.pseudonym in alert.body
    assert referral.child.first_name not in alert.body and "slagen" not in alert.body

    # The hourly sweep tries again without alerting twice, and sends once someone can be reached.
    with django_capture_on_commit_callbacks(execute=True):
        concern_reports_notify_pending()
    assert len(mail.outbox) == 1
    referral.submitted_by.email = "socsek@farsta.example.se"
    referral.submitted_by.save()
    with django_capture_on_commit_callbacks(execute=True):
        concern_reports_notify_pending()
    report.refresh_from_db()
    assert report.district_notified_at is not None
    assert mail.outbox[-1].to == ["socsek@farsta.example.se"]
    assert concern_report_notify_district(report.pk) == 0


def test_the_page_says_the_concern_could_not_be_sent(client_for, django_capture_on_commit_callbacks):
    referral = referral_without_reachable_social_workers()
    leader = make_user(Role.GROUP_LEADER)
    http = client_for(leader)
    with django_capture_on_commit_callbacks(execute=True):
        http.post(
            reverse("consent:concern", kwargs={"public_id": referral.public_id}), {"justification": JUSTIFICATION}
        )
    html = http.get(reverse("referrals:detail", kwargs={"public_id": referral.public_id})).content.decode()
    assert "kan inte skickas: ingen i stadsdelen har en e-postadress" in html  # the message after sending
    assert "Inte skickad: ingen i stadsdelen kan nås via e-post." in html  # the report's state
    assert "Orosanmälan är skickad till stadsdelen" not in html
