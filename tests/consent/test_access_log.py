"""The access log: one entry per read of a child's identifying data, append-only, never holding an
identity number; failed logins; the log page's filters; and the log review (loggkontroll)."""

import datetime
import re
from unittest import mock

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from consent.models import LogReview
from consent.services import consent_withdraw
from partnership.models import AccessLogEntry, Role
from partnership.services import access_log_record
from tests.conftest import require_postgresql
from tests.factories import TEST_PASSWORD, identity_number_for, make_agreement, make_referral, make_user, shift_years

pytestmark = pytest.mark.django_db

DISTRICT_BASIS = "Egen stadsdels ärende"
SOL_BASIS = "Samtycke från vårdnadshavare (SoL)"
LVU_BASIS = "LVU-placering: socialtjänsten ansvarar, samtycke krävs inte"


def detail_url(referral):
    return reverse("referrals:detail", kwargs={"public_id": referral.public_id})


def assert_no_identity_number(referral):
    """No log entry, in any column, holds the child's identity number (with or without separator)."""
    number = referral.child.identity_number
    digits = re.sub(r"\D", "", number)
    for entry in AccessLogEntry.objects.all():
        for value in (entry.username, entry.child_pseudonym, entry.legal_basis, entry.what, entry.action):
            assert number not in value
            assert digits not in re.sub(r"\D", "", value) or not digits
        assert referral.child.first_name not in entry.what
        assert referral.child.last_name not in entry.what


def new_entries(user, action=AccessLogEntry.Action.VIEW):
    return list(AccessLogEntry.objects.filter(user=user, action=action).order_by("pk"))


# --- One entry per read path ----------------------------------------------------------------


def test_a_social_worker_reading_a_referral_is_logged(client_for):
    referral = make_referral(first_name="Tove")
    reader = make_user(Role.SOCIAL_WORKER, district_name="Farsta", username="farsta_läsare")
    response = client_for(reader).get(detail_url(referral))
    assert response.status_code == 200
    assert referral.child.identity_number in response.content.decode()  # the district sees the number
    [entry] = new_entries(reader)
    assert entry.username == "farsta_läsare"
    assert entry.child_pseudonym == referral.pseudonym
    assert entry.legal_basis == DISTRICT_BASIS
    assert entry.what == "Anmälan"
    assert entry.occurred_at is not None
    assert_no_identity_number(referral)


@pytest.mark.parametrize(("basis", "expected"), [("sol", SOL_BASIS), ("lvu", LVU_BASIS)])
def test_bris_reading_a_referral_past_the_gate_is_logged_with_the_legal_basis(client_for, basis, expected):
    referral = make_referral(placement_basis=basis, guardians=2 if basis == "sol" else 0, first_name="Tove")
    leader = make_user(Role.GROUP_LEADER)
    response = client_for(leader).get(detail_url(referral))
    assert "Tove" in response.content.decode()
    [entry] = new_entries(leader)
    assert (entry.user, entry.child_pseudonym, entry.legal_basis) == (leader, referral.pseudonym, expected)
    assert_no_identity_number(referral)


def test_bris_reading_the_pseudonymised_record_before_the_gate_is_not_logged(client_for):
    referral = make_referral(consents=1, first_name="Tove")
    manager = make_user(Role.OPERATIONS_MANAGER)
    response = client_for(manager).get(detail_url(referral))
    assert response.status_code == 200
    assert "Tove" not in response.content.decode()
    assert AccessLogEntry.objects.filter(user=manager).count() == 0


def test_refused_reads_are_not_logged_as_views(client_for):
    referral = make_referral()
    outsider = make_user(Role.SOCIAL_WORKER, district_name="Bromma")
    coordinator = make_user(Role.COORDINATOR)
    assert client_for(outsider).get(detail_url(referral)).status_code == 404
    assert client_for(coordinator).get(detail_url(referral)).status_code == 404
    assert not AccessLogEntry.objects.filter(user__in=[outsider, coordinator]).exists()


def test_the_referral_list_logs_each_child_shown_by_name(client_for):
    mine = [make_referral(first_name=f"Barn{n}") for n in range(3)]
    make_referral(district_name="Bromma")  # not shown to Farsta
    reader = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    response = client_for(reader).get(reverse("referrals:list"))
    assert response.status_code == 200
    entries = new_entries(reader)
    assert sorted(entry.child_pseudonym for entry in entries) == sorted(r.pseudonym for r in mine)
    for entry in entries:
        assert entry.what == "Anmälningslista"
        assert entry.username == reader.username
        assert entry.legal_basis == DISTRICT_BASIS
    for referral in mine:
        assert_no_identity_number(referral)
        assert referral.child.identity_number not in response.content.decode()


def test_the_list_logs_for_bris_only_the_children_past_the_gate(client_for):
    past = make_referral(first_name="Klara")
    lvu = make_referral(placement_basis="lvu", guardians=0, first_name="Lova")
    before = make_referral(consents=0, first_name="Dold")
    leader = make_user(Role.GROUP_LEADER)
    html = client_for(leader).get(reverse("referrals:list")).content.decode()
    assert "Klara" in html and "Lova" in html and "Dold" not in html
    entries = {entry.child_pseudonym: entry for entry in new_entries(leader)}
    assert set(entries) == {past.pseudonym, lvu.pseudonym}
    assert before.pseudonym not in entries
    assert entries[past.pseudonym].legal_basis == SOL_BASIS
    assert entries[lvu.pseudonym].legal_basis == LVU_BASIS


def test_a_name_search_logs_the_children_it_shows_and_finds_none_behind_the_gate(client_for):
    found = make_referral(first_name="Majken", last_name="Sökström")
    hidden = make_referral(consents=0, first_name="Majken", last_name="Gömström")
    make_referral(first_name="Annan")
    leader = make_user(Role.GROUP_LEADER)
    response = client_for(leader).get(reverse("referrals:list"), {"q": "Majken"})
    html = response.content.decode()
    assert "Sökström" in html
    assert hidden.pseudonym not in html and "Gömström" not in html
    assert [entry.child_pseudonym for entry in new_entries(leader)] == [found.pseudonym]
    assert new_entries(leader)[0].legal_basis == SOL_BASIS


def test_a_list_without_any_identity_writes_no_entry(client_for):
    make_referral(consents=0)
    leader = make_user(Role.GROUP_LEADER)
    assert client_for(leader).get(reverse("referrals:list")).status_code == 200
    assert AccessLogEntry.objects.filter(user=leader).count() == 0


def test_downloading_a_consent_document_is_logged_as_export(client_for, media_root):

    referral = make_referral()
    consent = referral.consents.first()
    consent.document = SimpleUploadedFile("s.pdf", b"%PDF-1.4 test")
    consent.save()
    reader = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    url = reverse("consent:consent_document", kwargs={"public_id": referral.public_id, "consent_id": consent.pk})
    assert client_for(reader).get(url).status_code == 200
    [entry] = new_entries(reader, AccessLogEntry.Action.EXPORT)
    assert (entry.child_pseudonym, entry.legal_basis, entry.what) == (
        referral.pseudonym,
        DISTRICT_BASIS,
        "Inskannat samtycke",
    )
    assert_no_identity_number(referral)


def test_submitting_a_referral_is_logged_as_create(client_for):
    today = timezone.localdate()
    # In force today: a referral belongs to the agreement in force on the day it is made.
    make_agreement(starts_on=today - datetime.timedelta(days=100), ends_on=today + datetime.timedelta(days=400))
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    start = timezone.localdate() + datetime.timedelta(days=30)
    number = identity_number_for(shift_years(start, -10))
    data = {
        "first_name": "Nova",
        "last_name": "Nyström",
        "identity_number": number,
        "foster_home_name": "Familjen Ek",
        "foster_contact_person": "Eva Ek",
        "foster_phone": "070-1",
        "placement_basis": "lvu",
        "lvu_legal_basis": "2 § LVU",
        "custody": "sole",
        "planned_start": start.isoformat(),
        "case_officer_name": "Hanna",
        "guardians-TOTAL_FORMS": "2",
        "guardians-INITIAL_FORMS": "0",
        "guardians-MIN_NUM_FORMS": "0",
        "guardians-MAX_NUM_FORMS": "4",
        # As the browser sends the blank guardian rows: "has custody" is ticked by default.
        "guardians-0-has_custody": "on",
        "guardians-1-has_custody": "on",
    }
    response = client_for(worker).post(reverse("referrals:create"), data)
    assert response.status_code == 302
    [entry] = new_entries(worker, AccessLogEntry.Action.CREATE)
    assert entry.legal_basis == "Anmälan från placerande stadsdel"
    assert entry.child_pseudonym.startswith("B-")
    assert not AccessLogEntry.objects.filter(what__contains=number[-4:]).exists()
    assert not AccessLogEntry.objects.filter(username__contains=number[:8]).exists()


def test_recording_and_withdrawing_consent_are_logged_as_changes():

    referral = make_referral()
    worker = referral.submitted_by
    consent_withdraw(consent=referral.consents.first(), by=worker, reason="Återkallat")
    changes = new_entries(worker, AccessLogEntry.Action.CHANGE)
    assert [entry.what for entry in changes] == [
        "Registrerade samtycke",
        "Registrerade samtycke",
        "Återkallade samtycke",
    ]
    assert {entry.legal_basis for entry in changes} == {"Vårdnadshavares samtycke"}
    assert {entry.child_pseudonym for entry in changes} == {referral.pseudonym}


def test_the_service_scrubs_an_identity_number_typed_into_free_text():
    referral = make_referral()
    number = referral.child.identity_number
    entry = access_log_record(
        user=referral.submitted_by, referral=referral, action=AccessLogEntry.Action.VIEW, what=f"Sökte {number}"
    )
    assert number not in entry.what
    assert "[personnummer borttaget]" in entry.what


# --- Append-only ----------------------------------------------------------------------------


@pytest.fixture
def entry():
    referral = make_referral()
    return AccessLogEntry.objects.filter(child_pseudonym=referral.pseudonym).first()


def test_postgresql_refuses_to_update_a_log_entry(entry):
    require_postgresql()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(what="ändrad")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.what = "ändrad"
        entry.save()
    entry.refresh_from_db()
    assert entry.what != "ändrad"


def test_postgresql_refuses_to_delete_a_log_entry(entry):
    require_postgresql()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_a_user_with_log_entries_cannot_be_deleted(entry):
    with pytest.raises(ProtectedError), transaction.atomic():
        entry.user.delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_no_ui_route_edits_the_log():
    """The log is not in the admin, and the app's only log routes are the page and the reviews."""
    assert AccessLogEntry not in admin.site._registry
    assert LogReview not in admin.site._registry

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif isinstance(pattern, URLPattern):
                yield f"{prefix}{pattern.name}", pattern

    consent_routes = {name for name, _ in walk(get_resolver()) if name.startswith("consent:")}
    assert consent_routes == {
        "consent:access_log",
        "consent:log_review_create",
        "consent:log_review",
        # consent and concern reports on a referral's page: they write the log, never change it
        "consent:consent_create",
        "consent:consent_withdraw",
        "consent:consent_document",
        "consent:concern",
    }


def test_the_log_page_takes_no_post(client_for, entry):
    coordinator = make_user(Role.COORDINATOR)
    http = client_for(coordinator)
    for method in ("post", "put", "delete"):
        assert getattr(http, method)(reverse("consent:access_log")).status_code == 405
    assert AccessLogEntry.objects.filter(pk=entry.pk, what=entry.what).exists()


# --- Failed logins --------------------------------------------------------------------------


def test_a_failed_login_for_a_known_user_is_logged(client):
    user = make_user(Role.SOCIAL_WORKER, username="karin")
    response = client.post(reverse("login"), {"username": "karin", "password": "fel-lösenord"})
    assert response.status_code == 200
    [entry] = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.FAILED_LOGIN)
    assert (entry.user, entry.username, entry.child_pseudonym) == (user, "karin", "")


def test_a_failed_login_for_an_unknown_name_is_logged_without_user(client):
    client.post(reverse("login"), {"username": "finnsinte", "password": "x"})
    [entry] = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.FAILED_LOGIN)
    assert entry.user is None
    assert entry.username == "finnsinte"


def test_a_personnummer_typed_as_username_is_not_logged(client):
    client.post(reverse("login"), {"username": "201203041234", "password": "x"})
    [entry] = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.FAILED_LOGIN)
    assert "201203041234" not in entry.username
    assert entry.username == "[personnummer borttaget]"


def test_a_successful_login_is_not_a_failed_login(client):
    make_user(Role.SOCIAL_WORKER, username="lyckad")
    client.post(reverse("login"), {"username": "lyckad", "password": TEST_PASSWORD})
    assert not AccessLogEntry.objects.filter(action=AccessLogEntry.Action.FAILED_LOGIN).exists()


# --- The log page ---------------------------------------------------------------------------


def at(day: datetime.date, hour: int = 12):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def log_world():
    """Entries by a Farsta social worker, a Bris group leader and a failed login, on three days."""
    referral = make_referral()
    other = make_referral()
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta", username="sara_soc")
    leader = make_user(Role.GROUP_LEADER, username="leo_ledare")
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=20), today - datetime.timedelta(days=10), today]
    with at(days[0]):
        worker_old = access_log_record(user=worker, referral=referral, action="view", legal_basis=DISTRICT_BASIS)
    with at(days[1]):
        leader_mid = access_log_record(user=leader, referral=other, action="view", legal_basis=SOL_BASIS)
    with at(days[2]):
        worker_new = access_log_record(user=worker, referral=other, action="export", legal_basis=DISTRICT_BASIS)
        failed = access_log_record(user=None, action="failed_login", what="Inloggning")
    return {
        "referral": referral,
        "other": other,
        "worker": worker,
        "leader": leader,
        "days": days,
        "worker_old": worker_old,
        "leader_mid": leader_mid,
        "worker_new": worker_new,
        "failed": failed,
    }


def shown(response):
    return {entry.pk for entry in response.context["page"].object_list}


def test_the_coordinator_sees_the_whole_log(client_for, log_world):
    response = client_for(make_user(Role.COORDINATOR)).get(reverse("consent:access_log"))
    assert response.status_code == 200
    assert shown(response) == set(AccessLogEntry.objects.values_list("pk", flat=True))
    html = response.content.decode()
    assert log_world["referral"].pseudonym in html
    assert log_world["referral"].child.first_name not in html
    assert log_world["referral"].child.identity_number not in html


def test_the_log_filters_by_user_name_in_any_case(client_for, log_world):
    response = client_for(make_user(Role.COORDINATOR)).get(reverse("consent:access_log"), {"username": "Sara_Soc"})
    assert shown(response) == {log_world["worker_old"].pk, log_world["worker_new"].pk}


def test_a_part_of_a_user_name_finds_nothing_as_no_index_could_answer_it(client_for, log_world):
    # The log grows by millions of rows a year: a substring search would read all of them.
    response = client_for(make_user(Role.COORDINATOR)).get(reverse("consent:access_log"), {"username": "sara"})
    assert shown(response) == set()


def test_the_log_filters_by_child(client_for, log_world):
    pseudonym = log_world["other"].pseudonym
    response = client_for(make_user(Role.COORDINATOR)).get(
        reverse("consent:access_log"), {"child": f" {pseudonym.lower()} "}
    )
    expected = set(AccessLogEntry.objects.filter(child_pseudonym=pseudonym).values_list("pk", flat=True))
    assert log_world["leader_mid"].pk in expected and log_world["worker_new"].pk in expected
    assert shown(response) == expected


def test_the_log_filters_by_period(client_for, log_world):
    days = log_world["days"]
    http = client_for(make_user(Role.COORDINATOR))
    middle = http.get(reverse("consent:access_log"), {"date_from": days[1].isoformat(), "date_to": days[1].isoformat()})
    assert shown(middle) == {log_world["leader_mid"].pk}
    until = http.get(reverse("consent:access_log"), {"date_to": (days[1] - datetime.timedelta(days=1)).isoformat()})
    assert shown(until) == {log_world["worker_old"].pk}


def test_the_log_filters_by_action(client_for, log_world):
    response = client_for(make_user(Role.COORDINATOR)).get(reverse("consent:access_log"), {"action": "failed_login"})
    assert shown(response) == {log_world["failed"].pk}


def test_a_period_ending_before_it_starts_is_refused_beside_the_field(client_for, log_world):
    days = log_world["days"]
    response = client_for(make_user(Role.COORDINATOR)).get(
        reverse("consent:access_log"), {"date_from": days[2].isoformat(), "date_to": days[0].isoformat()}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"] == ["Slutdatum kan inte vara före startdatum."]
    assert "Slutdatum kan inte vara före startdatum." in response.content.decode()
    assert f'value="{days[2].isoformat()}"' in response.content.decode()


def test_the_operations_manager_sees_only_bris_staff_entries(client_for, log_world):
    response = client_for(make_user(Role.OPERATIONS_MANAGER)).get(reverse("consent:access_log"))
    assert response.status_code == 200
    assert shown(response) == {log_world["leader_mid"].pk}


def test_the_operations_manager_finds_own_staff_by_user_name_and_nobody_outside(client_for, log_world):
    http = client_for(make_user(Role.OPERATIONS_MANAGER))
    own = http.get(reverse("consent:access_log"), {"username": "LEO_ledare"})
    assert shown(own) == {log_world["leader_mid"].pk}
    # Someone outside Bris: found out from the user accounts, before the log is read at all (at
    # national scale, joining each of their entries to Bris' staff took a quarter of a second).
    with CaptureQueriesContext(connection) as queries:
        outside = http.get(reverse("consent:access_log"), {"username": "sara_soc"})
    assert shown(outside) == set()
    assert not [q for q in queries.captured_queries if "accesslogentry" in q["sql"].lower()]


@pytest.mark.parametrize("role", [Role.GROUP_LEADER, Role.SOCIAL_WORKER])
def test_others_may_not_read_the_log(client_for, role):
    assert client_for(make_user(role)).get(reverse("consent:access_log")).status_code == 403


def test_a_superuser_may_not_read_the_log(client_for):
    superuser = make_user(None)
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    assert client_for(superuser).get(reverse("consent:access_log")).status_code == 403


def test_anonymous_is_sent_to_login_from_the_log(client):
    response = client.get(reverse("consent:access_log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_log_page_runs_a_bounded_number_of_queries(client_for, django_assert_max_num_queries):
    referrals = [make_referral() for _ in range(3)]
    worker = referrals[0].submitted_by
    for _ in range(40):
        for referral in referrals:
            access_log_record(user=worker, referral=referral, action="view", legal_basis=DISTRICT_BASIS)
    http = client_for(make_user(Role.COORDINATOR))
    http.get(reverse("consent:access_log"))  # warm the session and caches
    with django_assert_max_num_queries(12):
        response = http.get(reverse("consent:access_log"), {"username": worker.username})
    assert len(response.context["page"].object_list) == 100
    following = {"efter": response.context["page"].next_cursor, "username": worker.username}
    with django_assert_max_num_queries(12):
        second = http.get(reverse("consent:access_log"), following)
    assert second.status_code == 200
    # The rest of the worker's entries (the 120 views and the 3 registrations), none shown twice.
    worker_entries = AccessLogEntry.objects.filter(username=worker.username).count()
    assert len(second.context["page"].object_list) == worker_entries - 100
    assert not set(second.context["page"].object_list) & set(response.context["page"].object_list)
    assert second.context["page"].next_cursor is None


# --- Log review (loggkontroll) --------------------------------------------------------------


@pytest.fixture
def many_entries():
    referrals = [make_referral() for _ in range(2)]
    worker = referrals[0].submitted_by
    for _ in range(15):
        for referral in referrals:
            access_log_record(user=worker, referral=referral, action="view", legal_basis=DISTRICT_BASIS)
    return referrals


def test_the_coordinator_draws_a_random_sample_within_the_filter(client_for, many_entries):
    coordinator = make_user(Role.COORDINATOR)
    http = client_for(coordinator)
    pseudonym = many_entries[0].pseudonym
    samples = []
    for _ in range(4):
        response = http.post(f"{reverse('consent:log_review_create')}?child={pseudonym}", {"sample_size": 5})
        review = LogReview.objects.filter(reviewer=coordinator).first()
        assert response.status_code == 302
        assert response["Location"] == reverse("consent:log_review", kwargs={"review_id": review.pk})
        sample = set(review.sample.values_list("pk", flat=True))
        assert len(sample) == 5
        assert set(review.sample.values_list("child_pseudonym", flat=True)) == {pseudonym}
        assert review.filter_description == f"Barnets pseudonym: {pseudonym}"
        assert review.period_end == timezone.localdate()
        samples.append(frozenset(sample))
    # Drawn at random: four draws of 5 out of 16+ entries are practically never all the same.
    assert len(set(samples)) > 1


def test_a_sample_larger_than_the_selection_takes_all_of_it(client_for, many_entries):
    coordinator = make_user(Role.COORDINATOR)
    pseudonym = many_entries[1].pseudonym
    client_for(coordinator).post(f"{reverse('consent:log_review_create')}?child={pseudonym}", {"sample_size": 200})
    review = LogReview.objects.get(reviewer=coordinator)
    assert review.sample.count() == AccessLogEntry.objects.filter(child_pseudonym=pseudonym).count()


def test_an_empty_selection_draws_no_review(client_for, many_entries):
    coordinator = make_user(Role.COORDINATOR)
    response = client_for(coordinator).post(
        f"{reverse('consent:log_review_create')}?child=B-FINNS", {"sample_size": 5}, follow=True
    )
    assert "Urvalet innehåller inga loggposter." in response.content.decode()
    assert not LogReview.objects.exists()


@pytest.mark.parametrize("size", ["0", "201", "många", ""])
def test_a_bad_sample_size_is_refused(client_for, many_entries, size):
    coordinator = make_user(Role.COORDINATOR)
    response = client_for(coordinator).post(reverse("consent:log_review_create"), {"sample_size": size}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("consent:access_log"))
    assert not LogReview.objects.exists()
    messages = [str(message) for message in response.context["messages"]]
    assert messages and all(message for message in messages)


def test_the_operations_manager_samples_only_bris_staff_entries(client_for, many_entries):
    leader = make_user(Role.GROUP_LEADER)
    bris_entry = access_log_record(user=leader, referral=many_entries[0], action="view", legal_basis=SOL_BASIS)
    manager = make_user(Role.OPERATIONS_MANAGER)
    client_for(manager).post(reverse("consent:log_review_create"), {"sample_size": 50})
    review = LogReview.objects.get(reviewer=manager)
    assert set(review.sample.values_list("pk", flat=True)) == {bris_entry.pk}


def test_the_reviewer_views_the_sample_and_records_the_outcome(client_for, many_entries):
    coordinator = make_user(Role.COORDINATOR)
    http = client_for(coordinator)
    http.post(reverse("consent:log_review_create"), {"sample_size": 3})
    review = LogReview.objects.get(reviewer=coordinator)
    url = reverse("consent:log_review", kwargs={"review_id": review.pk})
    page = http.get(url)
    assert page.status_code == 200
    assert len(page.context["entries"]) == 3
    for entry in review.sample.all():
        assert entry.child_pseudonym in page.content.decode()

    empty = http.post(url, {"outcome": ""})
    assert empty.status_code == 200
    assert empty.context["form"].errors["outcome"] == ["Detta fält måste fyllas i."]
    review.refresh_from_db()
    assert review.completed_at is None

    done = http.post(url, {"outcome": "Alla tre åtkomster var befogade."})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.outcome == "Alla tre åtkomster var befogade."
    assert review.completed_at is not None
    assert "Alla tre åtkomster var befogade." in http.get(url).content.decode()

    # The form is gone from the page, so the refusal is said on the page, not beside a hidden field.
    again = http.post(url, {"outcome": "Ändrat i efterhand."}, follow=True)
    assert again.redirect_chain == [(url, 302)]
    assert "Kontrollen är redan avslutad." in again.content.decode()
    review.refresh_from_db()
    assert review.outcome == "Alla tre åtkomster var befogade."


def test_log_review_statuses(client_for, client, many_entries):
    coordinator = make_user(Role.COORDINATOR)
    client_for(coordinator).post(reverse("consent:log_review_create"), {"sample_size": 3})
    review = LogReview.objects.get(reviewer=coordinator)
    url = reverse("consent:log_review", kwargs={"review_id": review.pk})
    # Another reviewer: the review does not exist for them.
    assert client_for(make_user(Role.COORDINATOR)).get(url).status_code == 404
    assert client_for(make_user(Role.OPERATIONS_MANAGER)).get(url).status_code == 404
    # No permission to review at all.
    assert client_for(make_user(Role.GROUP_LEADER)).get(url).status_code == 403
    assert client_for(make_user(Role.SOCIAL_WORKER)).post(url, {"outcome": "x"}).status_code == 403
    assert client.get(url)["Location"].startswith(reverse("login"))
    assert client_for(coordinator).delete(url).status_code == 405
    review.refresh_from_db()
    assert review.outcome == ""


def test_drawing_a_sample_is_post_only_and_for_reviewers(client_for, client, many_entries):
    url = reverse("consent:log_review_create")
    assert client_for(make_user(Role.COORDINATOR)).get(url).status_code == 405
    assert client_for(make_user(Role.GROUP_LEADER)).post(url, {"sample_size": 3}).status_code == 403
    assert client_for(make_user(Role.SOCIAL_WORKER)).post(url, {"sample_size": 3}).status_code == 403
    assert client.post(url, {"sample_size": 3})["Location"].startswith(reverse("login"))
    assert not LogReview.objects.exists()


def test_logging_the_list_costs_the_same_queries_for_few_and_many_children(client_for):

    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    http = client_for(worker)
    make_referral(submitted_by=worker)
    http.get(reverse("referrals:list"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        http.get(reverse("referrals:list"))
    for _ in range(8):
        make_referral(submitted_by=worker)
    with CaptureQueriesContext(connection) as many:
        http.get(reverse("referrals:list"))
    assert len(many.captured_queries) == len(few.captured_queries)
    # Yet every child shown was logged, in one insert.
    assert AccessLogEntry.objects.filter(user=worker, what="Anmälningslista").count() == 1 + 1 + 9
