"""The duty-to-report path (anmälningsplikt): a group leader records a concern about a child, with
or without consent; it needs a written justification, notifies the district by an email without
personal data, and is access-logged."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from consent.jobs import concern_report_notify_district
from consent.models import ConcernReport, DutyToReportReference
from consent.selectors import duty_to_report_reference_on
from consent.services import concern_report_create
from partnership.models import AccessLogEntry, Role
from referrals.models import ReferralStatus
from tests.factories import make_referral, make_user

pytestmark = pytest.mark.django_db

# The law in force today: the new Social Services Act (consent/migrations/0006).
REFERENCE_NOW = "Anmälningsskyldigheten i socialtjänstlagen (2025:400)"
JUSTIFICATION = "Barnet berättade i gruppen att hen blir slagen hemma och har blåmärken på armarna."


def concern_url(referral):
    return reverse("consent:concern", kwargs={"public_id": referral.public_id})


@pytest.fixture
def farsta_workers():
    """The district's social workers (one without email) and one of another district."""
    return {
        "farsta": make_user(Role.SOCIAL_WORKER, district_name="Farsta", username="farsta2"),
        "no_email": make_user(Role.SOCIAL_WORKER, district_name="Farsta", username="utanmejl", email=""),
        "bromma": make_user(Role.SOCIAL_WORKER, district_name="Bromma", username="bromma1"),
    }


@pytest.fixture(params=["before_gate", "after_gate"])
def referral(request):
    if request.param == "before_gate":
        referral = make_referral(consents=0, first_name="Elsa", last_name="Österberg")
        assert referral.status == ReferralStatus.AWAITING_CONSENT
    else:
        referral = make_referral(first_name="Elsa", last_name="Österberg")
        assert referral.status == ReferralStatus.READY
    return referral


def assert_mail_has_no_personal_data(message, referral):
    child = referral.child
    digits = re.sub(r"\D", "", child.identity_number)
    bodies = [message.subject, message.body, *(content for content, _ in message.alternatives)]
    for text in bodies:
        assert child.first_name not in text
        assert child.last_name not in text
        assert child.identity_number not in text
        assert digits not in re.sub(r"\D", "", text)
        assert digits[2:] not in re.sub(r"\D", "", text)  # nor the short YYMMDDNNNN form
        assert "slagen" not in text  # nor the justification itself
        for guardian in referral.guardians.all():
            assert guardian.name not in text
    assert referral.pseudonym in message.subject
    assert referral.pseudonym in message.body


def test_a_group_leader_reports_a_concern_and_the_district_is_mailed(
    referral, farsta_workers, client_for, django_capture_on_commit_callbacks
):
    leader = make_user(Role.GROUP_LEADER, username="gl_anna")
    http = client_for(leader)
    page = http.get(concern_url(referral))
    assert page.status_code == 200
    assert REFERENCE_NOW in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(concern_url(referral), {"justification": f"  {JUSTIFICATION}  "})
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", kwargs={"public_id": referral.public_id})

    report = ConcernReport.objects.get(referral=referral)
    assert report.reported_by == leader
    assert report.justification == JUSTIFICATION
    assert report.legal_reference == REFERENCE_NOW
    assert report.district_notified_at is not None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([referral.submitted_by.email, farsta_workers["farsta"].email])
    assert farsta_workers["bromma"].email not in message.to
    assert_mail_has_no_personal_data(message, referral)
    assert REFERENCE_NOW in message.body

    entry = AccessLogEntry.objects.get(action=AccessLogEntry.Action.CONCERN)
    assert entry.user == leader
    assert entry.username == "gl_anna"
    assert entry.child_pseudonym == referral.pseudonym
    assert entry.legal_basis == f"Anmälningsplikt, {REFERENCE_NOW}"
    assert entry.what == "Orosanmälan till stadsdelen"
    assert referral.child.identity_number not in f"{entry.what}{entry.legal_basis}{entry.username}"


def test_the_operations_manager_may_also_report(client_for, django_capture_on_commit_callbacks):
    referral = make_referral(consents=1)
    manager = make_user(Role.OPERATIONS_MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).post(concern_url(referral), {"justification": JUSTIFICATION})
    assert response.status_code == 302
    assert ConcernReport.objects.get().reported_by == manager
    assert len(mail.outbox) == 1


def test_the_legal_reference_is_editable_dated_text(client_for, django_capture_on_commit_callbacks):
    referral = make_referral()
    DutyToReportReference.objects.filter(valid_from=datetime.date(2025, 7, 1)).update(
        reference="15 kap. 6 § SoL (2025:400)"
    )
    leader = make_user(Role.GROUP_LEADER)
    http = client_for(leader)
    assert "15 kap. 6 § SoL (2025:400)" in http.get(concern_url(referral)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        http.post(concern_url(referral), {"justification": JUSTIFICATION})
    report = ConcernReport.objects.get()
    assert report.legal_reference == "15 kap. 6 § SoL (2025:400)"
    assert "15 kap. 6 § SoL (2025:400)" in mail.outbox[0].body
    # A later change of the text does not rewrite the report already made.
    DutyToReportReference.objects.update(reference="Annat lagrum")
    report.refresh_from_db()
    assert report.legal_reference == "15 kap. 6 § SoL (2025:400)"


@pytest.mark.parametrize(
    ("day", "reference"),
    [
        (datetime.date(2017, 3, 1), "14 kap. 1 § SoL (2001:453)"),
        (datetime.date(2025, 6, 30), "14 kap. 1 § SoL (2001:453)"),
        (datetime.date(2025, 7, 1), REFERENCE_NOW),
        (datetime.date(2026, 12, 1), REFERENCE_NOW),
    ],
)
def test_the_legal_reference_follows_the_law_in_force_on_the_date(day, reference):
    referral = make_referral()
    assert duty_to_report_reference_on(day=day, agreement=referral.agreement) == reference


@pytest.mark.parametrize(
    ("justification", "message"),
    [
        ("", "Detta fält måste fyllas i."),
        ("   ", "Detta fält måste fyllas i."),
        ("Orolig.", "Beskriv oron med minst några meningar; motiveringen krävs och loggas."),
        ("  Orolig för barnet.   ", "Beskriv oron med minst några meningar; motiveringen krävs och loggas."),
    ],
)
def test_a_concern_needs_a_written_justification(
    client_for, django_capture_on_commit_callbacks, justification, message
):
    referral = make_referral(consents=0)
    leader = make_user(Role.GROUP_LEADER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(leader).post(concern_url(referral), {"justification": justification})
    assert response.status_code == 200
    assert response.context["form"].errors["justification"] == [message]
    html = response.content.decode()
    assert 'id="error_1_id_justification"' in html
    if justification.strip():
        assert justification.strip() in html  # what was typed is kept
    assert not ConcernReport.objects.exists()
    assert not AccessLogEntry.objects.filter(action=AccessLogEntry.Action.CONCERN).exists()
    assert mail.outbox == []


def test_the_service_refuses_a_short_justification_beside_the_field():
    referral = make_referral()
    with pytest.raises(ValidationError) as error:
        concern_report_create(referral=referral, reported_by=make_user(Role.GROUP_LEADER), justification="Kort.")
    assert list(error.value.message_dict) == ["justification"]
    assert not ConcernReport.objects.exists()


def test_the_district_notification_is_sent_once_however_often_the_task_runs(django_capture_on_commit_callbacks):
    referral = make_referral()
    with django_capture_on_commit_callbacks(execute=True):
        report = concern_report_create(
            referral=referral, reported_by=make_user(Role.GROUP_LEADER), justification=JUSTIFICATION
        )
    assert len(mail.outbox) == 1
    assert concern_report_notify_district(report.pk) == 0
    assert concern_report_notify_district(report.pk) == 0
    assert len(mail.outbox) == 1


def test_the_district_sees_the_concern_and_what_it_is_about(client_for, django_capture_on_commit_callbacks):
    """The mail says "log in to read the report": the district must then be able to read it."""
    referral = make_referral(consents=0)
    with django_capture_on_commit_callbacks(execute=True):
        concern_report_create(referral=referral, reported_by=make_user(Role.GROUP_LEADER), justification=JUSTIFICATION)
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    html = client_for(worker).get(reverse("referrals:detail", kwargs={"public_id": referral.public_id})).content
    html = html.decode()
    assert "Orosanmälningar" in html
    assert JUSTIFICATION in html


# --- Who may use it -------------------------------------------------------------------------


def test_the_districts_own_social_worker_gets_403(client_for):
    referral = make_referral()
    http = client_for(referral.submitted_by)
    assert http.get(concern_url(referral)).status_code == 403
    assert http.post(concern_url(referral), {"justification": JUSTIFICATION}).status_code == 403
    assert not ConcernReport.objects.exists()


@pytest.mark.parametrize(("role", "district_name"), [(Role.SOCIAL_WORKER, "Bromma"), (Role.COORDINATOR, "Farsta")])
def test_another_district_and_the_coordinator_get_404(client_for, role, district_name):
    referral = make_referral()
    http = client_for(make_user(role, district_name=district_name))
    assert http.get(concern_url(referral)).status_code == 404
    assert http.post(concern_url(referral), {"justification": JUSTIFICATION}).status_code == 404
    assert not ConcernReport.objects.exists()


def test_a_superuser_gets_404(client_for):
    referral = make_referral()
    superuser = make_user(None)
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    assert client_for(superuser).post(concern_url(referral), {"justification": JUSTIFICATION}).status_code == 404
    assert not ConcernReport.objects.exists()


def test_an_unknown_referral_gives_404(client_for):
    leader = make_user(Role.GROUP_LEADER)
    url = reverse("consent:concern", kwargs={"public_id": "00000000-0000-0000-0000-000000000000"})
    assert client_for(leader).get(url).status_code == 404


def test_anonymous_is_sent_to_login(client):
    referral = make_referral()
    response = client.post(concern_url(referral), {"justification": JUSTIFICATION})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not ConcernReport.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client_for, method):
    referral = make_referral()
    assert getattr(client_for(make_user(Role.GROUP_LEADER)), method)(concern_url(referral)).status_code == 405


def test_bris_does_not_read_the_justification_on_the_pseudonymised_record(
    client_for, django_capture_on_commit_callbacks
):
    referral = make_referral(consents=0)
    with django_capture_on_commit_callbacks(execute=True):
        concern_report_create(referral=referral, reported_by=make_user(Role.GROUP_LEADER), justification=JUSTIFICATION)
    other_leader = make_user(Role.GROUP_LEADER)
    html = client_for(other_leader).get(reverse("referrals:detail", kwargs={"public_id": referral.public_id}))
    html = html.content.decode()
    assert "Orosanmälningar" in html
    assert JUSTIFICATION not in html
