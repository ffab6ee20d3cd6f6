import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from partnership.models import AccessLogEntry, Role
from referrals import purge, retention
from referrals.models import PurgeRecord, PurgeRule, Referral, RetentionChoice, ReturnDossier
from referrals.selectors import referrals_purge_due
from tests.factories import make_referral, make_user
from tests.referrals.lifecycle import database_text, documented_child, files_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def manager(db):
    return make_user(Role.OPERATIONS_MANAGER, username="gallrare")


def pdf_text(data: bytes) -> str:
    # Words joined by single spaces: the PDF breaks lines wherever the column ends.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_return_dossier_holds_what_bris_documented_but_no_identity_number(manager):
    documented = documented_child()
    dossier = purge.referral_return(referral=documented.referral, by=manager)
    text = pdf_text(dossier.document.read())
    child = documented.referral.child
    for expected in [
        "Ingeborg Zetterqvist",
        documented.referral.pseudonym,
        "Farsta",
        child.foster_home_name,
        "Vitsippsvägen 12",
        "Vårdnadshavare 1 Zetterqvist",
        "rädd för mörker",
        "blåmärken",
        "flyttar till en annan kommun",
        "Vårgruppen",  # the placement, read from the groups app
    ]:
        assert expected in text, expected
    assert child.identity_number not in text and child.identity_number[2:] not in text
    assert dossier.district == documented.referral.district
    assert Referral.objects.get(pk=documented.referral.pk).retention_choice == RetentionChoice.RETURN
    assert AccessLogEntry.objects.filter(child_pseudonym=documented.referral.pseudonym, action="export").exists()


def test_a_pending_return_holds_the_purge_until_the_district_received_it(manager, django_capture_on_commit_callbacks):
    documented = documented_child(ended_days_ago=45)
    dossier = purge.referral_return(referral=documented.referral, by=manager)
    assert documented.referral not in referrals_purge_due(on=timezone.localdate())
    with pytest.raises(ValidationError, match="återföras"):
        purge.referral_purge(referral=documented.referral, by=manager, rule=PurgeRule.MANUAL)

    purge.return_dossier_receive(dossier=dossier, by=documented.referral.submitted_by)
    assert documented.referral in referrals_purge_due(on=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        record = purge.referral_purge(referral=documented.referral, by=None, rule=PurgeRule.GRACE_PERIOD)
    assert record.returned and record.counts["files"] == 2  # the consent scan and the dossier
    dossier.refresh_from_db()
    assert not dossier.document and dossier.received_at is not None


def test_after_return_and_purge_no_file_or_row_holds_the_child(manager, media_root, django_capture_on_commit_callbacks):
    documented = documented_child(ended_days_ago=45)
    dossier = purge.referral_return(referral=documented.referral, by=manager)
    purge.return_dossier_receive(dossier=dossier, by=documented.referral.submitted_by)
    with django_capture_on_commit_callbacks(execute=True):
        purge.referral_purge(referral=documented.referral, by=None, rule=PurgeRule.GRACE_PERIOD)
    dump, stored = database_text(), files_text(media_root)
    assert [secret for secret in documented.secrets if secret in dump or secret in stored] == []
    assert not list(media_root.rglob("*.pdf"))


def test_an_active_referral_cannot_be_returned(manager):
    with pytest.raises(ValidationError):
        purge.referral_return(referral=make_referral(), by=manager)
    assert not ReturnDossier.objects.exists()


# --- Views ---------------------------------------------------------------------------------------


def test_manager_sees_due_and_coming_purges_with_dates_and_pseudonyms_only(
    manager, make_signed_in_client, django_assert_max_num_queries
):
    past = documented_child(first_name="Astrid", last_name="Förfallen", ended_days_ago=45).referral
    inside = documented_child(first_name="Bodil", last_name="Inomfristen", ended_days_ago=5).referral
    http = make_signed_in_client(manager)
    # session, user, membership, OTP device, the page's count and its referrals with district and
    # dossier, purge records, interest registrations (due count, next pending, next decided),
    # waiting-list children awaiting the district's confirmation, session save (3)
    with django_assert_max_num_queries(14):
        response = http.get(reverse("referrals:purge_due"))
    page = response.content.decode()
    assert response.status_code == 200
    assert past.pseudonym in page and inside.pseudonym in page
    assert "Astrid" not in page and "Bodil" not in page
    assert "förfallen" in page
    assert retention.purge_due_on(inside).strftime("%Y-%m-%d") in page


def test_due_list_query_count_does_not_grow_with_the_rows(
    manager, make_signed_in_client, django_assert_max_num_queries
):
    for n in range(4):
        documented_child(first_name=f"Barn{n}", last_name=f"Efternamn{n}", ended_days_ago=40 + n)
    http = make_signed_in_client(manager)
    with django_assert_max_num_queries(14):  # as above
        assert http.get(reverse("referrals:purge_due")).status_code == 200


def test_manager_purges_now_from_the_list(manager, make_signed_in_client, django_capture_on_commit_callbacks):
    documented = documented_child(ended_days_ago=3)
    http = make_signed_in_client(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("referrals:purge", kwargs={"public_id": documented.referral.public_id}), {"confirm": "on"}
        )
    assert response.status_code == 302 and response["Location"] == reverse("referrals:purge_due")
    record = PurgeRecord.objects.get()
    assert (record.rule, record.purged_by) == (PurgeRule.MANUAL, manager)


def test_gallra_nu_asks_first_naming_the_pseudonym_and_what_goes(manager, make_signed_in_client):
    documented = documented_child(ended_days_ago=3)
    referral = documented.referral
    http = make_signed_in_client(manager)
    listing = http.get(reverse("referrals:purge_due")).content.decode()
    url = reverse("referrals:purge", kwargs={"public_id": referral.public_id})
    assert f'href="{url}"' in listing  # a link to the question, not a one-click form

    page = http.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert f"Gallra uppgifterna om {referral.pseudonym} nu?" in html
    assert "personnummer" in html and "2 vårdnadshavare" in html and "2 samtycken" in html
    assert "Kvar blir pseudonymen" in html
    assert referral.child.first_name not in html  # the question names the pseudonym, not the child
    assert Referral.objects.get(pk=referral.pk).purged_at is None


def test_a_post_without_the_confirmation_purges_nothing(manager, make_signed_in_client):
    documented = documented_child(ended_days_ago=3)
    http = make_signed_in_client(manager)
    response = http.post(reverse("referrals:purge", kwargs={"public_id": documented.referral.public_id}))
    assert response.status_code == 200
    assert "Bekräfta att uppgifterna ska gallras." in response.content.decode()
    assert Referral.objects.get(pk=documented.referral.pk).purged_at is None
    assert not PurgeRecord.objects.exists()


def test_purging_an_active_referral_from_the_browser_shows_the_reason(manager, make_signed_in_client):
    referral = make_referral()
    http = make_signed_in_client(manager)
    response = http.post(
        reverse("referrals:purge", kwargs={"public_id": referral.public_id}), {"confirm": "on"}, follow=True
    )
    assert "Bara avslutade anmälningar kan gallras." in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).purged_at is None


@pytest.mark.parametrize("role", [Role.GROUP_LEADER, Role.SOCIAL_WORKER])
def test_only_the_operations_manager_may_purge_or_return(role, make_signed_in_client):
    documented = documented_child()
    http = make_signed_in_client(make_user(role))
    for name in ("referrals:purge", "referrals:return"):
        response = http.post(reverse(name, kwargs={"public_id": documented.referral.public_id}))
        assert response.status_code == 403
    assert Referral.objects.get(pk=documented.referral.pk).purged_at is None


def test_coordinator_gets_404_for_a_childs_purge(make_signed_in_client):
    documented = documented_child()
    http = make_signed_in_client(make_user(Role.COORDINATOR))
    response = http.post(reverse("referrals:purge", kwargs={"public_id": documented.referral.public_id}))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login_and_a_wrong_method_is_refused(client, manager, make_signed_in_client):
    documented = documented_child()
    url = reverse("referrals:purge", kwargs={"public_id": documented.referral.public_id})
    assert client.post(url)["Location"].startswith(reverse("login"))
    assert make_signed_in_client(manager).put(url).status_code == 405


def test_social_worker_downloads_the_returned_dossier_and_it_is_received(manager, make_signed_in_client):
    documented = documented_child()
    http = make_signed_in_client(manager)
    http.post(reverse("referrals:return", kwargs={"public_id": documented.referral.public_id}))
    dossier = ReturnDossier.objects.get()

    social_worker = documented.referral.submitted_by
    http = make_signed_in_client(social_worker)
    listing = http.get(reverse("referrals:return_dossiers")).content.decode()
    assert documented.referral.pseudonym in listing and "Inte hämtad" in listing
    response = http.get(reverse("referrals:return_dossier_download", kwargs={"public_id": dossier.public_id}))
    assert response.status_code == 200
    assert "Ingeborg Zetterqvist" in pdf_text(b"".join(response.streaming_content))
    assert f"aterforing-{documented.referral.pseudonym}.pdf" in response["Content-Disposition"]
    dossier.refresh_from_db()
    assert (dossier.received_by, dossier.received_at is not None) == (social_worker, True)


def test_another_districts_social_worker_cannot_download_the_dossier(manager, make_signed_in_client):
    documented = documented_child()
    dossier = purge.referral_return(referral=documented.referral, by=manager)
    http = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Bromma"))
    url = reverse("referrals:return_dossier_download", kwargs={"public_id": dossier.public_id})
    assert http.get(url).status_code == 404
    assert documented.referral.pseudonym not in http.get(reverse("referrals:return_dossiers")).content.decode()
    assert make_signed_in_client(manager).get(url).status_code == 403
    dossier.refresh_from_db()
    assert dossier.received_at is None
