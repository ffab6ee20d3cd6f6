import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from finance import selectors, services
from finance.jobs import annual_report_build
from finance.models import AdvancePayment, AnnualReport, Cost, ExternalFee, FinanceAuditEntry
from partnership.jobs import job_run
from partnership.models import AccessLogEntry, BackgroundJob, Membership, Organisation, Role
from tests.factories import make_user

from .helpers import agreement_with_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    coordinator = make_user(Role.COORDINATOR, username="fin_samordnare")
    agreement, years = agreement_with_years(coordinator)
    return coordinator, agreement, years[0]


def _other_ngo_manager():
    other = Organisation.objects.create(name="Annan förening", kind=Organisation.Kind.NONPROFIT)
    user = make_user(None, username="annan_chef")
    Membership.objects.create(user=user, organisation=other, role=Role.OPERATIONS_MANAGER)
    return user


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- Payments ------------------------------------------------------------------------------------


def test_coordinator_marks_a_payment_paid(setup, make_signed_in_client):
    coordinator, _agreement, year = setup
    payment = year.payments.get(quarter=1)
    client = make_signed_in_client(coordinator)
    url = reverse("finance:payment_mark_paid", kwargs={"public_id": payment.public_id})
    response = client.post(url, {"paid_on": "2016-12-29", "reference": "VER 2016-118"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.paid_on == datetime.date(2016, 12, 29) and payment.reference == "VER 2016-118"
    page = client.get(reverse("finance:payments", kwargs={"public_id": year.public_id}))
    assert "Betald 2016-12-29, referens VER 2016-118" in page.content.decode()


def test_marking_a_paid_payment_again_shows_the_error_beside_the_date(setup, make_signed_in_client):
    coordinator, _agreement, year = setup
    payment = year.payments.get(quarter=1)
    services.payment_mark_paid(payment=payment, paid_on=datetime.date(2017, 1, 2), reference="A", by=coordinator)
    client = make_signed_in_client(coordinator)
    url = reverse("finance:payment_mark_paid", kwargs={"public_id": payment.public_id})
    response = client.post(url, {"paid_on": "2017-01-03", "reference": "B"})
    assert response.status_code == 200
    assert "redan markerad som betald" in response.context["form"].errors["paid_on"][0]
    assert response.context["form"]["reference"].value() == "B"


def test_operations_manager_may_not_mark_payments(setup, make_signed_in_client):
    _coordinator, _agreement, year = setup
    payment = year.payments.get(quarter=1)
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    url = reverse("finance:payment_mark_paid", kwargs={"public_id": payment.public_id})
    assert client.post(url, {"paid_on": "2017-01-03", "reference": "B"}).status_code == 403
    assert not AdvancePayment.objects.filter(paid_on__isnull=False).exists()


def test_reopening_a_payment_through_the_page_logs_the_reason(setup, make_signed_in_client):
    coordinator, _agreement, year = setup
    payment = year.payments.get(quarter=2)
    services.payment_mark_paid(payment=payment, paid_on=datetime.date(2017, 3, 30), reference="A", by=coordinator)
    client = make_signed_in_client(coordinator)
    url = reverse("finance:payment_reopen", kwargs={"public_id": payment.public_id})
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Fel verifikation"}).status_code == 302
    assert FinanceAuditEntry.objects.get(action="payment_reopened").reason == "Fel verifikation"


# --- Costs -----------------------------------------------------------------------------------------


def _cost_data(year, **overrides):
    line = year.agreement.budget_lines.get(name="Material")
    return {
        "budget_line": line.pk,
        "spent_on": "2017-05-04",
        "amount": "1 234,50",
        "description": "Papper",
        **overrides,
    }


def test_operations_manager_records_a_cost_in_swedish_format(setup, make_signed_in_client):
    _coordinator, _agreement, year = setup
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    response = client.post(reverse("finance:cost_create", kwargs={"public_id": year.public_id}), _cost_data(year))
    assert response.status_code == 302
    assert Cost.objects.get().amount_ore == 123_450
    page = client.get(reverse("finance:year", kwargs={"public_id": year.public_id})).content.decode()
    assert "1\u00a0234,50\u00a0kr" in page
    assert "6\u00a0765,50\u00a0kr" in page  # what remains of the 8 000 kr material line


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "-5"}, "amount", "negativt"),
        ({"amount": "tio"}, "amount", "siffror"),
        ({"amount": "10,123"}, "amount", "två decimaler"),
        ({"amount": "0"}, "amount", "större än noll"),
        ({"spent_on": "2019-02-01"}, "spent_on", "utanför överenskommelsens period"),
    ],
)
def test_bad_cost_input_is_refused_beside_its_field_and_kept(setup, make_signed_in_client, overrides, field, message):
    coordinator, _agreement, year = setup
    client = make_signed_in_client(coordinator)
    response = client.post(
        reverse("finance:cost_create", kwargs={"public_id": year.public_id}), _cost_data(year, **overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["form"]["description"].value() == "Papper"
    assert not Cost.objects.exists()


def test_a_receipt_that_is_not_a_pdf_or_image_is_refused(setup, make_signed_in_client):
    coordinator, _agreement, year = setup
    client = make_signed_in_client(coordinator)
    fake = SimpleUploadedFile("kvitto.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("finance:cost_create", kwargs={"public_id": year.public_id}), {**_cost_data(year), "receipt": fake}
    )
    assert response.status_code == 200
    assert "PDF eller en bild" in response.context["form"].errors["receipt"][0]
    assert not Cost.objects.exists()


def test_a_receipt_over_10_mb_is_refused(setup, make_signed_in_client):
    coordinator, _agreement, year = setup
    client = make_signed_in_client(coordinator)
    big = SimpleUploadedFile("kvitto.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = client.post(
        reverse("finance:cost_create", kwargs={"public_id": year.public_id}), {**_cost_data(year), "receipt": big}
    )
    assert "10 MB" in response.context["form"].errors["receipt"][0]
    assert not Cost.objects.exists()


def test_a_receipt_is_uploaded_and_downloaded(setup, make_signed_in_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    coordinator, _agreement, year = setup
    client = make_signed_in_client(coordinator)
    png = SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\nbild", content_type="image/png")
    client.post(
        reverse("finance:cost_create", kwargs={"public_id": year.public_id}), {**_cost_data(year), "receipt": png}
    )
    cost = Cost.objects.get()
    response = client.get(reverse("finance:cost_receipt", kwargs={"public_id": cost.public_id}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_closed_year_refuses_a_cost_through_the_page(setup, make_signed_in_client):
    coordinator, _agreement, year = setup
    services.budget_year_close(budget_year=year, by=coordinator)
    client = make_signed_in_client(coordinator)
    response = client.post(reverse("finance:cost_create", kwargs={"public_id": year.public_id}), _cost_data(year))
    assert response.status_code == 200
    assert "stängt" in " ".join(response.context["form"].non_field_errors())
    assert not Cost.objects.exists()


# --- Scope and methods ------------------------------------------------------------------------


def test_another_organisations_manager_gets_404_for_our_year(setup, make_signed_in_client):
    _coordinator, _agreement, year = setup
    client = make_signed_in_client(_other_ngo_manager())
    assert client.get(reverse("finance:year", kwargs={"public_id": year.public_id})).status_code == 404
    assert client.get(reverse("finance:overview")).status_code == 200
    assert year.agreement.name not in client.get(reverse("finance:overview")).content.decode()


@pytest.mark.parametrize("role", [Role.GROUP_LEADER, Role.SOCIAL_WORKER])
def test_group_leaders_and_social_workers_have_no_finance(setup, make_signed_in_client, role):
    _coordinator, _agreement, year = setup
    client = make_signed_in_client(make_user(role))
    assert client.get(reverse("finance:overview")).status_code == 403
    assert client.get(reverse("finance:year", kwargs={"public_id": year.public_id})).status_code == 403
    assert "Ekonomi" not in client.get(reverse("home")).content.decode()


def test_anonymous_is_sent_to_login(setup, client):
    _coordinator, _agreement, year = setup
    response = client.get(reverse("finance:year", kwargs={"public_id": year.public_id}))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_closing_a_year_only_takes_post(setup, make_signed_in_client):
    coordinator, _agreement, year = setup
    client = make_signed_in_client(coordinator)
    url = reverse("finance:year_close", kwargs={"public_id": year.public_id})
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    year.refresh_from_db()
    assert year.is_closed


# --- Query bounds on lists ----------------------------------------------------------------------


def _costs(year, coordinator, count):
    line = year.agreement.budget_lines.get(name="Material")
    for n in range(count):
        services.cost_record(
            budget_year=year,
            budget_line=line,
            spent_on=datetime.date(2017, 2, 1 + n),
            amount_ore=100 + n,
            description=f"Kostnad {n}",
            by=coordinator,
        )


@pytest.mark.parametrize("count", [1, 12])
def test_year_page_queries_do_not_grow_with_costs(setup, make_signed_in_client, django_assert_max_num_queries, count):
    coordinator, _agreement, year = setup
    _costs(year, coordinator, count)
    client = make_signed_in_client(coordinator)
    # session, user, membership, OTP device, budget year, the permission checks' agreement and
    # lines, budget vs actual, cost count, cost page: a fixed number whatever the costs.
    with django_assert_max_num_queries(14):
        assert client.get(reverse("finance:year", kwargs={"public_id": year.public_id})).status_code == 200


@pytest.mark.parametrize("count", [1, 12])
def test_fee_list_queries_do_not_grow_with_fees(setup, make_signed_in_client, django_assert_max_num_queries, count):
    coordinator, agreement, _year = setup
    for n in range(count):
        ExternalFee.objects.create(
            agreement=agreement,
            child_key=f"barn-{n}",
            year=2017,
            municipality=f"Kommun {n}",
            child_initials="AB",
            child_age=9,
            group_name="Grupp",
            amount_ore=500_000,
            invoiced_on=datetime.date(2017, 3, 1),
            recorded_by=coordinator,
        )
    client = make_signed_in_client(coordinator)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("finance:fees")).status_code == 200


@pytest.mark.parametrize("count", [1, 12])
def test_audit_log_queries_do_not_grow(setup, make_signed_in_client, django_assert_max_num_queries, count):
    coordinator, _agreement, year = setup
    _costs(year, coordinator, count)
    client = make_signed_in_client(coordinator)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("finance:audit_log")).status_code == 200


def test_overview_queries_are_bounded(setup, make_signed_in_client, django_assert_max_num_queries):
    coordinator, _agreement, year = setup
    _costs(year, coordinator, 5)
    client = make_signed_in_client(coordinator)
    # Fixed per agreement year (two here): one budget-vs-actual query each.
    with django_assert_max_num_queries(14):
        assert client.get(reverse("finance:overview")).status_code == 200


# --- Fees ------------------------------------------------------------------------------------------


def test_fee_invoice_is_a_pdf_with_initials_and_age_only(setup, make_signed_in_client):
    coordinator, agreement, _year = setup
    fee = ExternalFee.objects.create(
        agreement=agreement,
        child_key="barn-al",
        year=2017,
        municipality="Solna stad",
        child_initials="AL",
        child_age=11,
        group_name="Veckogrupp våren 2017",
        amount_ore=500_000,
        invoiced_on=datetime.date(2017, 3, 1),
        recorded_by=coordinator,
    )
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    response = client.get(reverse("finance:fee_invoice", kwargs={"public_id": fee.public_id}))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("Solna stad", "AL, 11 år", "Veckogrupp våren 2017", "5 000,00 kr"):
        assert expected in text.replace("\u00a0", " ")
    entry = AccessLogEntry.objects.get(action=AccessLogEntry.Action.EXPORT)
    assert entry.what == "Faktura till annan kommun (PDF)" and entry.user.membership.role == Role.OPERATIONS_MANAGER


def test_a_fee_is_marked_paid_once(setup, make_signed_in_client):
    coordinator, agreement, _year = setup
    fee = ExternalFee.objects.create(
        agreement=agreement,
        child_key="barn-al",
        year=2017,
        municipality="Solna stad",
        child_initials="AL",
        child_age=11,
        group_name="Grupp",
        amount_ore=500_000,
        invoiced_on=datetime.date(2017, 3, 1),
        recorded_by=coordinator,
    )
    client = make_signed_in_client(coordinator)
    url = reverse("finance:fee_mark_paid", kwargs={"public_id": fee.public_id})
    assert client.post(url, {"paid_on": "2017-03-20"}).status_code == 302
    again = client.post(url, {"paid_on": "2017-03-21"})
    assert "redan markerad som betald" in again.context["form"].errors["paid_on"][0]
    fee.refresh_from_db()
    assert fee.paid_on == datetime.date(2017, 3, 20)


# --- The annual report ----------------------------------------------------------------------------


def test_annual_report_pdf_holds_the_right_totals(
    setup, make_signed_in_client, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    coordinator, agreement, year = setup
    for quarter, day in ((1, datetime.date(2016, 12, 28)), (2, datetime.date(2017, 3, 29))):
        services.payment_mark_paid(
            payment=year.payments.get(quarter=quarter), paid_on=day, reference="V", by=coordinator
        )
    services.cost_record(
        budget_year=year,
        budget_line=agreement.budget_lines.get(name="Material"),
        spent_on=datetime.date(2017, 4, 1),
        amount_ore=9_000_50,
        description="Material",
        by=coordinator,
    )
    ExternalFee.objects.create(
        agreement=agreement,
        child_key="barn-al",
        year=2017,
        municipality="Solna stad",
        child_initials="AL",
        child_age=11,
        group_name="Grupp",
        amount_ore=500_000,
        invoiced_on=datetime.date(2017, 3, 1),
        paid_on=datetime.date(2017, 3, 20),
        recorded_by=coordinator,
    )
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("finance:report_generate", kwargs={"public_id": year.public_id}),
            {"fee_reinvestment": "Extra material till stödhelgen."},
        )
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert report.job.state == BackgroundJob.State.DONE and report.job.progress == 100
    download = client.get(reverse("finance:report_download", kwargs={"public_id": report.public_id}))
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content).replace("\u00a0", " ")
    assert "Årlig ekonomisk redovisning 2017" in text
    assert "711 833,00 kr" in text  # the year's budget
    assert "9 000,50 kr" in text  # material spent
    assert "−1 000,50 kr" in text  # material overspent
    assert "355 916,50 kr" in text  # two advances received
    assert "5 000,00 kr" in text  # the fee from Solna
    assert "Extra material till stödhelgen." in text


def _report_with_job(year, coordinator, **job_fields) -> AnnualReport:
    job = BackgroundJob.objects.create(
        kind="finance.annual_report", key=f"finance.annual_report:{year.pk}", requested_by=coordinator, **job_fields
    )
    return AnnualReport.objects.create(budget_year=year, requested_by=coordinator, job=job)


def test_report_status_fragment_polls_until_done(setup, make_signed_in_client):
    coordinator, _agreement, year = setup
    report = _report_with_job(year, coordinator, state=BackgroundJob.State.RUNNING, progress=50)
    client = make_signed_in_client(coordinator)
    html = client.get(reverse("finance:report_status", kwargs={"public_id": report.public_id})).content.decode()
    assert 'data-hx-trigger="every 1s"' in html and 'value="50"' in html
    BackgroundJob.objects.filter(pk=report.job_id).update(state=BackgroundJob.State.FAILED)
    html = client.get(reverse("finance:report_status", kwargs={"public_id": report.public_id})).content.decode()
    assert "data-hx-trigger" not in html


def test_the_report_page_says_when_the_background_service_cannot_be_reached(setup, make_signed_in_client):
    coordinator, _agreement, year = setup
    report = _report_with_job(year, coordinator, state=BackgroundJob.State.QUEUED, sent_at=None)
    client = make_signed_in_client(coordinator)
    html = client.get(reverse("finance:report_status", kwargs={"public_id": report.public_id})).content.decode()
    assert "Bakgrundstjänsten går inte att nå just nu" in html
    BackgroundJob.objects.filter(pk=report.job_id).update(sent_at=timezone.now())
    html = client.get(reverse("finance:report_status", kwargs={"public_id": report.public_id})).content.decode()
    assert "Bakgrundstjänsten" not in html


def test_running_the_report_job_twice_builds_once(setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    coordinator, _agreement, year = setup
    report = _report_with_job(year, coordinator)
    assert job_run(report.job_id) is not None
    assert job_run(report.job_id) is None  # a second delivery of the same job: nothing to claim
    report.refresh_from_db()
    assert report.job.state == BackgroundJob.State.DONE
    assert report.pdf.read().startswith(b"%PDF-")
    # Run again by hand (as the sweep does for a job whose worker died), it replaces the file.
    annual_report_build(report.job)
    report.refresh_from_db()
    assert [path.name for path in (tmp_path / "finance" / "reports").iterdir()] == [report.pdf.name.rsplit("/")[-1]]


def test_coordinator_home_lists_overdue_advances(setup, make_signed_in_client):
    coordinator, _agreement, _year = setup
    html = make_signed_in_client(coordinator).get(reverse("home")).content.decode().replace("\u00a0", " ")
    assert "2017 kvartal 1: 177 958,25 kr, förföll 2016-12-31" in html


def test_a_second_request_while_the_report_is_built_gets_that_report(
    setup, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    coordinator, _agreement, year = setup
    # As if the first click's job had not reached a worker yet: the broker was down.
    waiting = _report_with_job(year, coordinator, state=BackgroundJob.State.QUEUED, sent_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        again = services.annual_report_request(budget_year=year, fee_reinvestment="", by=coordinator)

    assert again.pk == waiting.pk and AnnualReport.objects.count() == 1
    waiting.refresh_from_db()
    assert waiting.job.state == BackgroundJob.State.DONE  # the second request sent it again


def test_a_report_lost_halfway_is_made_again_on_the_next_request(
    setup, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    coordinator, _agreement, year = setup
    lost = _report_with_job(
        year,
        coordinator,
        state=BackgroundJob.State.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=11),  # past the job's time limit
    )

    with django_capture_on_commit_callbacks(execute=True):
        again = services.annual_report_request(budget_year=year, fee_reinvestment="", by=coordinator)

    assert again.pk == lost.pk
    again.refresh_from_db()
    assert again.job.state == BackgroundJob.State.DONE and again.pdf


# --- Changing a cost -------------------------------------------------------------------------------


def _booked_cost(year, by, **overrides):
    line = year.agreement.budget_lines.order_by("position").last()
    fields = {"spent_on": year.starts_on, "amount_ore": 50_000, "description": "Fika", **overrides}
    return services.cost_record(budget_year=year, budget_line=line, by=by, **fields)


def test_a_cost_is_corrected_and_the_log_keeps_what_it_was(
    setup, make_signed_in_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    coordinator, _agreement, year = setup
    old_receipt = SimpleUploadedFile("gammalt.png", b"\x89PNG\r\n\x1a\ngammal", content_type="image/png")
    cost = _booked_cost(year, coordinator, receipt=old_receipt)
    old_name = cost.receipt.name
    client = make_signed_in_client(coordinator)
    url = reverse("finance:cost_change", kwargs={"public_id": cost.public_id})

    page = client.get(url).content.decode()
    assert 'value="500,00"' in page and 'value="Fika"' in page

    new_receipt = SimpleUploadedFile("nytt.pdf", b"%PDF-1.4 nytt", content_type="application/pdf")
    data = {**_cost_data(year, amount="1 234,50", description="Papper och pennor"), "reason": "Fel belopp."}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "receipt": new_receipt})
    assert response.status_code == 302

    cost.refresh_from_db()
    assert (cost.amount_ore, cost.description) == (123_450, "Papper och pennor")
    assert cost.receipt.name != old_name and not cost.receipt.storage.exists(old_name)
    assert cost.receipt.storage.open(cost.receipt.name).read() == b"%PDF-1.4 nytt"
    entry = FinanceAuditEntry.objects.get(action=FinanceAuditEntry.Action.COST_CHANGED)
    assert entry.amount_ore == 123_450 and "Fel belopp." in entry.reason
    assert "500,00" in entry.reason and "Fika" in entry.reason


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "-5"}, "amount", "negativt"),
        ({"spent_on": "2019-02-01"}, "spent_on", "utanför överenskommelsens period"),
        ({"reason": ""}, "reason", "fyllas i"),
    ],
)
def test_a_bad_change_is_refused_beside_its_field_and_nothing_changes(
    setup, make_signed_in_client, overrides, field, message
):
    coordinator, _agreement, year = setup
    cost = _booked_cost(year, coordinator)
    data = {**_cost_data(year, description="Ny text"), "reason": "Rättelse", **overrides}
    response = make_signed_in_client(coordinator).post(
        reverse("finance:cost_change", kwargs={"public_id": cost.public_id}), data
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field]).lower()
    assert response.context["form"]["description"].value() == "Ny text"
    cost.refresh_from_db()
    assert (cost.amount_ore, cost.description) == (50_000, "Fika")
    assert not FinanceAuditEntry.objects.filter(action=FinanceAuditEntry.Action.COST_CHANGED).exists()


def test_a_cost_in_a_closed_year_cannot_be_changed(setup):
    coordinator, _agreement, year = setup
    cost = _booked_cost(year, coordinator)
    services.budget_year_close(budget_year=year, by=coordinator)
    line = year.agreement.budget_lines.order_by("position").first()
    with pytest.raises(ValidationError, match="stängt"):
        services.cost_change(
            cost=cost,
            budget_line=line,
            spent_on=year.starts_on,
            amount_ore=1,
            description="x",
            reason="y",
            by=coordinator,
        )
    cost.refresh_from_db()
    assert cost.amount_ore == 50_000


# --- Uploads: named and served by their sniffed type (partnership/uploads.py) -------------------

HTML_LOOKING_LIKE_A_PDF = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>"


def test_an_html_file_that_starts_like_a_pdf_is_stored_and_served_as_a_pdf(
    setup, make_signed_in_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    coordinator, _agreement, year = setup
    client = make_signed_in_client(coordinator)
    upload = SimpleUploadedFile("kvitto.html", HTML_LOOKING_LIKE_A_PDF, content_type="text/html")
    client.post(
        reverse("finance:cost_create", kwargs={"public_id": year.public_id}), {**_cost_data(year), "receipt": upload}
    )
    cost = Cost.objects.get()
    assert cost.receipt.name.endswith(".pdf") and "html" not in cost.receipt.name
    response = client.get(reverse("finance:cost_receipt", kwargs={"public_id": cost.public_id}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".pdf" in response["Content-Disposition"] and "html" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_real_html_file_named_pdf_is_refused(setup, make_signed_in_client):
    coordinator, _agreement, year = setup
    client = make_signed_in_client(coordinator)
    upload = SimpleUploadedFile(
        "kvitto.pdf", b"<!DOCTYPE html><script>alert(1)</script>", content_type="application/pdf"
    )
    response = client.post(
        reverse("finance:cost_create", kwargs={"public_id": year.public_id}), {**_cost_data(year), "receipt": upload}
    )
    assert response.status_code == 200
    assert "PDF eller en bild" in response.context["form"].errors["receipt"][0]
    assert not Cost.objects.exists()


def test_the_service_names_a_receipt_by_its_content_not_its_name(setup, settings, tmp_path):
    # Every write path, not just the form: the service itself renames and refuses.
    settings.MEDIA_ROOT = tmp_path
    coordinator, _agreement, year = setup
    upload = SimpleUploadedFile("bild.html", b"\x89PNG\r\n\x1a\nbild", content_type="text/html")
    cost = _booked_cost(year, coordinator, receipt=upload)
    assert cost.receipt.name.endswith(".png")
    with pytest.raises(ValidationError):
        _booked_cost(year, coordinator, receipt=SimpleUploadedFile("a.pdf", b"<html>", content_type="application/pdf"))


def test_the_annual_report_hides_small_numbers_of_children_and_counts_fees_once_per_child(
    setup, make_signed_in_client, django_capture_on_commit_callbacks, settings, tmp_path
):
    """As the follow-up report: 1–4 children are never shown as a number, on screen or in the PDF.
    A voided fee (a child who never started) is not a child of the year."""
    settings.MEDIA_ROOT = tmp_path
    coordinator, agreement, year = setup
    for n, voided in ((1, False), (2, False), (3, True)):
        ExternalFee.objects.create(
            agreement=agreement,
            child_key=f"barn-{n}",
            year=2017,
            municipality="Solna stad",
            child_initials="AL",
            child_age=11,
            group_name="Grupp",
            amount_ore=500_000,
            invoiced_on=datetime.date(2017, 3, 1),
            recorded_by=coordinator,
            voided_at=timezone.now() if voided else None,
            void_reason="Började aldrig" if voided else "",
        )
    figures = selectors.annual_report_figures(year)
    assert figures.fees_count == 2 and figures.fees_invoiced_ore == 2 * 500_000
    client = make_signed_in_client(coordinator)
    page = client.get(reverse("finance:report", kwargs={"public_id": year.public_id})).content.decode()
    assert "färre än 5" in page
    assert '<dd class="col-sm-7">2</dd>' not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("finance:report_generate", kwargs={"public_id": year.public_id}), {"fee_reinvestment": ""})
    report = AnnualReport.objects.get()
    download = client.get(reverse("finance:report_download", kwargs={"public_id": report.public_id}))
    text = " ".join(pdf_text(b"".join(download.streaming_content)).split())
    assert "Barn från andra kommuner: färre än 5." in text
    assert "Barn från andra kommuner: 2" not in text
