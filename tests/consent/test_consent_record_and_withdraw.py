"""Recording a guardian's consent (service and view), the scanned document, and withdrawal."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consent.models import GuardianConsent, LogReview
from consent.services import consent_record, consent_withdraw, log_review_complete
from partnership.models import AccessLogEntry, Role
from referrals.models import ReferralStatus
from tests.factories import make_referral, make_user
from tests.history import status_changes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def awaiting():
    """A Farsta SoL referral with two custodians, only the first of whom has consented."""
    referral = make_referral(consents=1, first_name="Signe", last_name="Lindqvist")
    assert referral.status == ReferralStatus.AWAITING_CONSENT
    return referral


def second_guardian(referral):
    return referral.guardians.get(consents__isnull=True)


def consent_url(referral, guardian):
    return reverse("consent:consent_create", kwargs={"public_id": referral.public_id, "guardian_id": guardian.pk})


def withdraw_url(referral, consent):
    return reverse("consent:consent_withdraw", kwargs={"public_id": referral.public_id, "consent_id": consent.pk})


def document_url(referral, consent):
    return reverse("consent:consent_document", kwargs={"public_id": referral.public_id, "consent_id": consent.pk})


def consent_data(**overrides):
    data = {
        "given_on": timezone.localdate().isoformat(),
        "method": GuardianConsent.Method.LETTER,
        "information_given": "Broschyren om stödgrupperna och Bris hela verksamhet.",
    }
    data.update(overrides)
    return data


def field_errors(response, field):
    return list(response.context["form"].errors.get(field, []))


# --- The service ----------------------------------------------------------------------------


def test_recording_the_last_custodians_consent_makes_the_referral_ready(awaiting):
    guardian = second_guardian(awaiting)
    consent = consent_record(
        referral=awaiting,
        guardian=guardian,
        given_on=timezone.localdate() - datetime.timedelta(days=2),
        method=GuardianConsent.Method.PHONE,
        information_given="  Muntlig genomgång av verksamheten.  ",
        recorded_by=awaiting.submitted_by,
    )
    awaiting.refresh_from_db()
    assert awaiting.status == ReferralStatus.READY
    assert consent.information_given == "Muntlig genomgång av verksamheten."
    assert consent.recorded_by == awaiting.submitted_by
    assert consent.withdrawn_at is None
    entry = AccessLogEntry.objects.filter(child_pseudonym=awaiting.pseudonym, what="Registrerade samtycke").last()
    assert entry.action == AccessLogEntry.Action.CHANGE
    assert entry.user == awaiting.submitted_by
    assert entry.legal_basis == "Vårdnadshavares samtycke"


def test_a_consent_dated_in_the_future_is_refused_beside_the_date(awaiting):
    with pytest.raises(ValidationError) as error:
        consent_record(
            referral=awaiting,
            guardian=second_guardian(awaiting),
            given_on=timezone.localdate() + datetime.timedelta(days=1),
            method=GuardianConsent.Method.MEETING,
            information_given="Information",
            recorded_by=awaiting.submitted_by,
        )
    assert error.value.message_dict == {"given_on": ["Datumet kan inte ligga i framtiden."]}
    assert GuardianConsent.objects.filter(referral=awaiting).count() == 1


def test_a_guardian_of_another_referral_is_refused(awaiting):
    other = make_referral(consents=0)
    with pytest.raises(ValidationError) as error:
        consent_record(
            referral=awaiting,
            guardian=other.guardians.first(),
            given_on=timezone.localdate(),
            method=GuardianConsent.Method.MEETING,
            information_given="Information",
            recorded_by=awaiting.submitted_by,
        )
    assert "guardian" in error.value.message_dict
    assert not GuardianConsent.objects.filter(referral=other).exists()


def test_a_second_standing_consent_from_the_same_guardian_is_refused(awaiting):
    guardian = awaiting.guardians.get(consents__isnull=False)
    with pytest.raises(ValidationError) as error:
        consent_record(
            referral=awaiting,
            guardian=guardian,
            given_on=timezone.localdate(),
            method=GuardianConsent.Method.MEETING,
            information_given="Information",
            recorded_by=awaiting.submitted_by,
        )
    assert error.value.message_dict == {"guardian": [f"{guardian.name} har redan ett gällande samtycke."]}


def test_consent_cannot_be_recorded_on_an_ended_referral(awaiting):
    consent_withdraw(consent=awaiting.consents.get(), by=awaiting.submitted_by, reason="Vill inte längre.")
    awaiting.refresh_from_db()
    with pytest.raises(ValidationError, match="avslutad"):
        consent_record(
            referral=awaiting,
            guardian=second_guardian(awaiting),
            given_on=timezone.localdate(),
            method=GuardianConsent.Method.MEETING,
            information_given="Information",
            recorded_by=awaiting.submitted_by,
        )
    assert awaiting.consents.count() == 1


# --- The consent view -----------------------------------------------------------------------


def test_the_district_social_worker_opens_the_consent_form(awaiting, client_for):
    guardian = second_guardian(awaiting)
    response = client_for(awaiting.submitted_by).get(consent_url(awaiting, guardian))
    assert response.status_code == 200
    assert f"Samtycke från {guardian.name}" in response.content.decode()


def test_another_districts_social_worker_gets_404_on_the_consent_form(awaiting, client_for):
    bromma = make_user(Role.SOCIAL_WORKER, district_name="Bromma")
    assert client_for(bromma).get(consent_url(awaiting, second_guardian(awaiting))).status_code == 404


def test_a_guardian_of_another_referral_in_the_url_gives_404(awaiting, client_for):
    other = make_referral(consents=0)
    assert client_for(awaiting.submitted_by).get(consent_url(awaiting, other.guardians.first())).status_code == 404


@pytest.mark.parametrize("role", [Role.GROUP_LEADER, Role.OPERATIONS_MANAGER])
def test_bris_may_not_record_consent(awaiting, client_for, role):
    http = client_for(make_user(role))
    url = consent_url(awaiting, second_guardian(awaiting))
    assert http.get(url).status_code == 403
    assert http.post(url, consent_data()).status_code == 403
    assert awaiting.consents.count() == 1


def test_the_coordinator_gets_404_on_the_consent_form(awaiting, client_for):
    coordinator = make_user(Role.COORDINATOR)
    assert client_for(coordinator).get(consent_url(awaiting, second_guardian(awaiting))).status_code == 404


def test_anonymous_is_sent_to_login_from_the_consent_form(awaiting, client):
    response = client.get(consent_url(awaiting, second_guardian(awaiting)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_consent_form_refuses_other_methods(awaiting, client_for, method):
    http = client_for(awaiting.submitted_by)
    assert getattr(http, method)(consent_url(awaiting, second_guardian(awaiting))).status_code == 405


def test_posting_the_consent_form_records_it_and_the_referral_becomes_ready(awaiting, client_for, media_root):
    guardian = second_guardian(awaiting)
    upload = SimpleUploadedFile("Signe Lindqvist samtycke.pdf", PDF, content_type="application/pdf")
    response = client_for(awaiting.submitted_by).post(consent_url(awaiting, guardian), consent_data(document=upload))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", kwargs={"public_id": awaiting.public_id})
    consent = GuardianConsent.objects.get(guardian=guardian)
    assert consent.method == GuardianConsent.Method.LETTER
    assert consent.recorded_by == awaiting.submitted_by
    # The stored name is random: an uploaded file name may well hold the child's name.
    assert "Signe" not in consent.document.name and "Lindqvist" not in consent.document.name
    assert consent.document.name.startswith(f"consent/{awaiting.public_id}/")
    assert consent.document.read() == PDF
    awaiting.refresh_from_db()
    assert awaiting.status == ReferralStatus.READY


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"given_on": ""}, "given_on", "Detta fält måste fyllas i."),
        ({"given_on": "2024-02-30"}, "given_on", "Fyll i ett giltigt datum."),
        ({"method": "sms"}, "method", "Välj ett giltigt alternativ."),
        ({"information_given": ""}, "information_given", "Detta fält måste fyllas i."),
    ],
)
def test_bad_consent_input_is_refused_beside_the_field_in_swedish(awaiting, client_for, overrides, field, message):
    data = consent_data(**overrides)
    entries_before = AccessLogEntry.objects.count()
    response = client_for(awaiting.submitted_by).post(consent_url(awaiting, second_guardian(awaiting)), data)
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert any(message.rstrip(".") in error for error in errors), errors
    html = response.content.decode()
    assert f'id="error_1_id_{field}"' in html
    # What the user typed is kept.
    if field != "information_given":
        assert data["information_given"] in html
    assert awaiting.consents.count() == 1
    assert AccessLogEntry.objects.count() == entries_before


def test_a_future_date_from_the_service_lands_beside_the_date_field(awaiting, client_for):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    entries_before = AccessLogEntry.objects.count()
    response = client_for(awaiting.submitted_by).post(
        consent_url(awaiting, second_guardian(awaiting)), consent_data(given_on=tomorrow)
    )
    assert response.status_code == 200
    assert field_errors(response, "given_on") == ["Datumet kan inte ligga i framtiden."]
    html = response.content.decode()
    assert f'value="{tomorrow}"' in html
    assert "Broschyren om stödgrupperna" in html
    assert awaiting.consents.count() == 1
    assert AccessLogEntry.objects.count() == entries_before
    awaiting.refresh_from_db()
    assert awaiting.status == ReferralStatus.AWAITING_CONSENT


# --- Upload validation: by content, at most 10 MB -------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [("samtycke.pdf", PDF), ("samtycke.png", PNG), ("samtycke.jpg", JPEG), ("skannat.PDF", PDF), ("bild", JPEG)],
    ids=["pdf", "png", "jpeg", "upper-case-pdf", "jpeg-without-extension"],
)
def test_pdf_png_and_jpeg_are_accepted_by_their_content(awaiting, client_for, media_root, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = client_for(awaiting.submitted_by).post(
        consent_url(awaiting, second_guardian(awaiting)), consent_data(document=upload)
    )
    assert response.status_code == 302
    assert GuardianConsent.objects.get(guardian=second_guardian_or_none(awaiting)).document.read() == content


def second_guardian_or_none(referral):
    return referral.guardians.order_by("created_at", "pk").last()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("samtycke.pdf", b"Jag samtycker. /Vardnadshavare\n", "application/pdf"),
        ("samtycke.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("samtycke.jpg", b"GIF89a" + b"\x00" * 32, "image/jpeg"),
        ("samtycke.pdf", b"PK\x03\x04" + b"\x00" * 32, "application/pdf"),  # a zip/docx renamed
        ("samtycke.pdf", b"", "application/pdf"),
        ("samtycke.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "application/pdf"),
    ],
    ids=["text-named-pdf", "html-named-png", "gif-named-jpg", "zip-named-pdf", "empty", "html-named-pdf"],
)
def test_a_file_that_is_not_really_pdf_or_image_is_refused(
    awaiting, client_for, media_root, name, content, content_type
):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    response = client_for(awaiting.submitted_by).post(
        consent_url(awaiting, second_guardian(awaiting)), consent_data(document=upload)
    )
    assert response.status_code == 200
    errors = field_errors(response, "document")
    assert errors, response.context["form"].errors
    if content:
        assert errors == ["Filen måste vara en PDF eller en bild (PNG eller JPEG)."]
    assert "Broschyren om stödgrupperna" in response.content.decode()
    assert awaiting.consents.count() == 1
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_a_file_over_10_mb_is_refused(awaiting, client_for, media_root):
    upload = SimpleUploadedFile("stor.pdf", PDF + b"0" * (TEN_MB + 1 - len(PDF)), content_type="application/pdf")
    response = client_for(awaiting.submitted_by).post(
        consent_url(awaiting, second_guardian(awaiting)), consent_data(document=upload)
    )
    assert response.status_code == 200
    assert field_errors(response, "document") == ["Filen är större än 10 MB."]
    assert awaiting.consents.count() == 1
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_a_file_of_exactly_10_mb_is_accepted(awaiting, client_for, media_root):
    upload = SimpleUploadedFile("precis.pdf", PDF + b"0" * (TEN_MB - len(PDF)), content_type="application/pdf")
    response = client_for(awaiting.submitted_by).post(
        consent_url(awaiting, second_guardian(awaiting)), consent_data(document=upload)
    )
    assert response.status_code == 302
    assert GuardianConsent.objects.get(guardian=second_guardian_or_none(awaiting)).document.size == TEN_MB


# --- Downloading the scanned consent --------------------------------------------------------


@pytest.fixture
def with_document(awaiting, media_root):
    guardian = second_guardian(awaiting)
    consent = consent_record(
        referral=awaiting,
        guardian=guardian,
        given_on=timezone.localdate(),
        method=GuardianConsent.Method.LETTER,
        information_given="Information",
        recorded_by=awaiting.submitted_by,
        document=SimpleUploadedFile("Signe Lindqvist.pdf", PDF, content_type="application/pdf"),
    )
    awaiting.refresh_from_db()
    assert awaiting.status == ReferralStatus.READY  # past the gate: Bris sees the child now
    return awaiting, consent


def test_the_district_social_worker_downloads_the_document_and_it_is_logged(with_document, client_for):
    referral, consent = with_document
    other_worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    response = client_for(other_worker).get(document_url(referral, consent))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="samtycke.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    entry = AccessLogEntry.objects.get(user=other_worker)
    assert entry.action == AccessLogEntry.Action.EXPORT
    assert entry.child_pseudonym == referral.pseudonym
    assert entry.legal_basis == "Egen stadsdels ärende"
    assert entry.what == "Inskannat samtycke"


@pytest.mark.parametrize("role", [Role.GROUP_LEADER, Role.OPERATIONS_MANAGER])
def test_bris_never_downloads_a_consent_document_even_past_the_gate(with_document, client_for, role):
    referral, consent = with_document
    user = make_user(role)
    assert client_for(user).get(document_url(referral, consent)).status_code == 403
    assert not AccessLogEntry.objects.filter(user=user).exists()


def test_bris_before_the_gate_cannot_download_a_document(awaiting, client_for, media_root):
    consent = awaiting.consents.get()
    consent.document = SimpleUploadedFile("x.pdf", PDF)
    consent.save()
    user = make_user(Role.GROUP_LEADER)
    assert client_for(user).get(document_url(awaiting, consent)).status_code == 403
    assert not AccessLogEntry.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.COORDINATOR])
def test_another_district_and_the_coordinator_get_404_on_the_document(with_document, client_for, role):
    referral, consent = with_document
    user = make_user(role, district_name="Bromma")
    assert client_for(user).get(document_url(referral, consent)).status_code == 404
    assert not AccessLogEntry.objects.filter(user=user).exists()


def test_a_consent_without_document_or_of_another_referral_gives_404(with_document, client_for):
    referral, consent = with_document
    http = client_for(referral.submitted_by)
    without = referral.consents.exclude(pk=consent.pk).get()
    assert http.get(document_url(referral, without)).status_code == 404
    other = make_referral(submitted_by=referral.submitted_by)
    assert http.get(document_url(other, consent)).status_code == 404
    assert not AccessLogEntry.objects.filter(user=referral.submitted_by, action=AccessLogEntry.Action.EXPORT).exists()


def test_anonymous_is_sent_to_login_from_the_document(with_document, client):
    referral, consent = with_document
    response = client.get(document_url(referral, consent))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_document_is_get_only(with_document, client_for):
    referral, consent = with_document
    http = client_for(referral.submitted_by)
    assert http.post(document_url(referral, consent)).status_code == 405
    assert http.delete(document_url(referral, consent)).status_code == 405


# --- Withdrawal -----------------------------------------------------------------------------


@pytest.fixture
def ready():
    referral = make_referral(first_name="Ylva", last_name="Bergström")
    assert referral.status == ReferralStatus.READY
    return referral


def test_withdrawal_through_the_service_ends_the_referral_with_the_reason(ready):
    consent = ready.consents.first()
    consent_withdraw(consent=consent, by=ready.submitted_by, reason="  Mamma ångrade sig vid samtal.  ")
    consent.refresh_from_db()
    ready.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == ready.submitted_by
    assert consent.withdrawal_reason == "Mamma ångrade sig vid samtal."
    assert ready.status == ReferralStatus.WITHDRAWN
    assert ready.ended_at is not None  # the purge hook: data is due a grace period after this
    transition = status_changes(ready)[-1]
    assert transition.new == ReferralStatus.WITHDRAWN
    assert transition.old == ReferralStatus.READY
    assert transition.by == ready.submitted_by
    assert transition.reason == "Samtycket återkallades: Mamma ångrade sig vid samtal."
    entry = AccessLogEntry.objects.filter(child_pseudonym=ready.pseudonym).first()
    assert (entry.action, entry.what, entry.user) == (
        AccessLogEntry.Action.CHANGE,
        "Återkallade samtycke",
        ready.submitted_by,
    )


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_withdrawal_needs_a_reason(ready, reason):
    consent = ready.consents.first()
    with pytest.raises(ValidationError) as error:
        consent_withdraw(consent=consent, by=ready.submitted_by, reason=reason)
    assert error.value.message_dict == {"reason": ["Ange orsak till återkallelsen."]}
    consent.refresh_from_db()
    ready.refresh_from_db()
    assert consent.withdrawn_at is None
    assert ready.status == ReferralStatus.READY
    assert ready.ended_at is None


def test_a_consent_cannot_be_withdrawn_twice(ready):
    consent = ready.consents.first()
    consent_withdraw(consent=consent, by=ready.submitted_by, reason="Första gången.")
    with pytest.raises(ValidationError, match="redan återkallat"):
        consent_withdraw(consent=consent, by=ready.submitted_by, reason="Andra gången.")
    consent.refresh_from_db()
    assert consent.withdrawal_reason == "Första gången."


def test_withdrawal_through_the_view_hides_the_child_from_bris_at_once(ready, client_for):
    leader = make_user(Role.GROUP_LEADER)
    bris = client_for(leader)
    detail = reverse("referrals:detail", kwargs={"public_id": ready.public_id})
    assert "Ylva Bergström" in bris.get(detail).content.decode()  # before: Bris sees the child

    district = client_for(ready.submitted_by)
    consent = ready.consents.first()
    assert district.get(withdraw_url(ready, consent)).status_code == 200
    response = district.post(withdraw_url(ready, consent), {"reason": "Pappa återkallade per telefon."})
    assert response.status_code == 302
    assert response["Location"] == detail
    ready.refresh_from_db()
    assert ready.status == ReferralStatus.WITHDRAWN
    assert ready.ended_at is not None
    assert status_changes(ready)[-1].reason == "Samtycket återkallades: Pappa återkallade per telefon."

    logged_before = AccessLogEntry.objects.filter(user=leader).count()
    page = bris.get(detail)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ylva" not in html and "Bergström" not in html
    assert ready.pseudonym in html
    assert ready.child.identity_number not in html
    assert "Familjen Ek" not in html  # no contact details either
    # Nothing identifying was shown, so nothing new is logged for Bris.
    assert AccessLogEntry.objects.filter(user=leader).count() == logged_before
    # The list does not show the name either, and a name search finds nothing.
    listing = bris.get(reverse("referrals:list"), {"q": "Bergström"})
    assert "Bergström" not in listing.content.decode().replace('value="Bergström"', "")
    assert ready.pseudonym not in listing.content.decode()


def test_withdrawal_without_reason_is_refused_beside_the_field(ready, client_for):
    consent = ready.consents.first()
    response = client_for(ready.submitted_by).post(withdraw_url(ready, consent), {"reason": ""})
    assert response.status_code == 200
    assert field_errors(response, "reason") == ["Detta fält måste fyllas i."]
    assert 'id="error_1_id_reason"' in response.content.decode()
    consent.refresh_from_db()
    ready.refresh_from_db()
    assert consent.withdrawn_at is None
    assert ready.status == ReferralStatus.READY


def test_withdrawing_an_already_withdrawn_consent_shows_the_error_and_keeps_the_input(ready, client_for):
    consent = ready.consents.first()
    consent_withdraw(consent=consent, by=ready.submitted_by, reason="Först.")
    response = client_for(ready.submitted_by).post(withdraw_url(ready, consent), {"reason": "Igen, nytt samtal."})
    assert response.status_code == 200
    assert field_errors(response, "reason") == ["Samtycket är redan återkallat."]
    assert "Igen, nytt samtal." in response.content.decode()


def test_another_district_gets_404_on_withdrawal(ready, client_for):
    consent = ready.consents.first()
    http = client_for(make_user(Role.SOCIAL_WORKER, district_name="Bromma"))
    assert http.get(withdraw_url(ready, consent)).status_code == 404
    assert http.post(withdraw_url(ready, consent), {"reason": "Försök"}).status_code == 404
    ready.refresh_from_db()
    assert ready.status == ReferralStatus.READY


@pytest.mark.parametrize("role", [Role.GROUP_LEADER, Role.OPERATIONS_MANAGER])
def test_bris_cannot_withdraw_consent(ready, client_for, role):
    consent = ready.consents.first()
    http = client_for(make_user(role))
    assert http.get(withdraw_url(ready, consent)).status_code == 403
    assert http.post(withdraw_url(ready, consent), {"reason": "Försök"}).status_code == 403
    ready.refresh_from_db()
    assert ready.status == ReferralStatus.READY


def test_a_consent_of_another_referral_gives_404_on_withdrawal(ready, client_for):
    other = make_referral(submitted_by=ready.submitted_by)
    response = client_for(ready.submitted_by).post(withdraw_url(ready, other.consents.first()), {"reason": "Fel"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == ReferralStatus.READY


def test_anonymous_is_sent_to_login_from_withdrawal(ready, client):
    response = client.post(withdraw_url(ready, ready.consents.first()), {"reason": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    ready.refresh_from_db()
    assert ready.status == ReferralStatus.READY


@pytest.mark.parametrize("method", ["put", "delete"])
def test_withdrawal_refuses_other_methods(ready, client_for, method):
    http = client_for(ready.submitted_by)
    assert getattr(http, method)(withdraw_url(ready, ready.consents.first())).status_code == 405


# --- The pseudonymised record before the gate -----------------------------------------------


def test_bris_before_the_gate_sees_what_is_missing_without_any_guardian_or_child_name(awaiting, client_for):
    """The gate names the missing consents; to Bris those names would identify the child."""
    leader = make_user(Role.GROUP_LEADER)
    response = client_for(leader).get(reverse("referrals:detail", kwargs={"public_id": awaiting.public_id}))
    assert response.status_code == 200
    html = response.content.decode()
    for guardian in awaiting.guardians.all():
        assert guardian.name not in html
    assert "Signe" not in html and "Lindqvist" not in html
    assert awaiting.child.identity_number not in html
    assert awaiting.pseudonym in html
    assert "Samtycke saknas från 1 av 2 vårdnadshavare." in html
    assert not AccessLogEntry.objects.filter(user=leader).exists()


def test_the_district_sees_which_guardian_has_not_consented(awaiting, client_for):
    guardian = second_guardian(awaiting)
    response = client_for(awaiting.submitted_by).get(
        reverse("referrals:detail", kwargs={"public_id": awaiting.public_id})
    )
    assert f"Samtycke saknas från {guardian.name}." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("scan.pdf", PNG, "png"),
        ("foto.png", JPEG, "jpg"),
        ("samtycke.html", PDF, "pdf"),
        ("utan_filandelse", PDF, "pdf"),
    ],
    ids=["png-named-pdf", "jpeg-named-png", "pdf-named-html", "pdf-without-extension"],
)
def test_the_stored_and_downloaded_type_follows_the_content_not_the_name(
    awaiting, client_for, media_root, name, content, extension
):
    """Sniffed by content, so named by content: a PNG called .pdf is served as a PNG, and a PDF
    called .html is never handed out as an HTML file."""
    guardian = second_guardian(awaiting)
    http = client_for(awaiting.submitted_by)
    http.post(consent_url(awaiting, guardian), consent_data(document=SimpleUploadedFile(name, content)))
    consent = GuardianConsent.objects.get(guardian=guardian)
    assert consent.document.name.endswith(f".{extension}")
    response = http.get(document_url(awaiting, consent))
    assert response["Content-Disposition"] == f'attachment; filename="samtycke.{extension}"'
    assert "html" not in response["Content-Type"]


def test_withdrawing_a_non_custodial_guardians_consent_does_not_end_the_referral():
    referral = make_referral(guardians=2)
    non_custodian = referral.guardians.order_by("pk").last()
    non_custodian.has_custody = False
    non_custodian.save()
    consent = referral.consents.get(guardian=non_custodian)
    consent_withdraw(consent=consent, by=referral.submitted_by, reason="Vill inte längre.")
    referral.refresh_from_db()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert referral.status == ReferralStatus.READY
    assert referral.ended_at is None


def test_a_log_review_cannot_be_completed_without_an_outcome():

    review = LogReview(outcome="")
    with pytest.raises(ValidationError) as caught:
        log_review_complete(review=review, outcome="   ")
    assert caught.value.message_dict == {"outcome": ["Beskriv resultatet av kontrollen."]}


def test_the_consent_pages_name_a_guardian_so_each_showing_is_logged(awaiting, make_signed_in_client):
    client = make_signed_in_client(awaiting.submitted_by)
    consent = awaiting.consents.get()
    guardian = consent.guardian
    other = second_guardian(awaiting)

    assert guardian.name in client.get(withdraw_url(awaiting, consent)).content.decode()
    assert other.name in client.get(consent_url(awaiting, other)).content.decode()

    views = AccessLogEntry.objects.filter(child_pseudonym=awaiting.pseudonym, action=AccessLogEntry.Action.VIEW)
    assert set(views.values_list("what", flat=True)) >= {"Återkalla samtycke", "Samtycke från vårdnadshavare"}
    assert set(views.values_list("username", flat=True)) == {awaiting.submitted_by.username}


def test_an_html_file_that_starts_like_a_pdf_is_stored_and_served_as_a_pdf(awaiting, client_for, media_root):
    content = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>"
    upload = SimpleUploadedFile("samtycke.html", content, content_type="text/html")
    guardian = second_guardian(awaiting)
    response = client_for(awaiting.submitted_by).post(consent_url(awaiting, guardian), consent_data(document=upload))
    assert response.status_code == 302
    consent = GuardianConsent.objects.get(guardian=guardian)
    assert consent.document.name.endswith(".pdf")
    download = client_for(awaiting.submitted_by).get(document_url(awaiting, consent))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="samtycke.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_the_referral_page_and_the_services_agree_on_what_consent_can_be_recorded_or_withdrawn(
    awaiting, make_signed_in_client
):
    """One rule (consent.rules): the page offers a consent for an active SoL referral and a
    withdrawal while the referral is active, and the services refuse the rest."""
    worker = awaiting.submitted_by
    client = make_signed_in_client(worker)
    detail = reverse("referrals:detail", kwargs={"public_id": awaiting.public_id})
    page = client.get(detail).content.decode()
    assert "Registrera samtycke från" in page and "Återkalla" in page

    lvu = make_referral(placement_basis="lvu", submitted_by=worker, first_name="Lova")
    guardian = lvu.guardians.first()
    assert (
        "Registrera samtycke från"
        not in client.get(reverse("referrals:detail", kwargs={"public_id": lvu.public_id})).content.decode()
    )
    with pytest.raises(ValidationError, match="LVU-placering behöver inget samtycke"):
        consent_record(
            referral=lvu, guardian=guardian, given_on=timezone.localdate(), method="letter",
            information_given="x", recorded_by=worker,
        )  # fmt: skip
    assert not lvu.consents.exists()

    given = awaiting.consents.get()
    consent_withdraw(consent=given, by=worker, reason="Mamma vill inte längre")  # ends the referral
    awaiting.refresh_from_db()
    assert awaiting.status == ReferralStatus.WITHDRAWN
    page = client.get(detail).content.decode()
    assert "Återkalla" not in page and "Registrera samtycke från" not in page
    other = GuardianConsent.objects.create(
        referral=awaiting, guardian=second_guardian(awaiting), given_on=timezone.localdate(), method="letter",
        information_given="x", recorded_by=worker,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="samtycket kan inte återkallas"):
        consent_withdraw(consent=other, by=worker, reason="Sent")
    assert GuardianConsent.objects.get(pk=other.pk).withdrawn_at is None
