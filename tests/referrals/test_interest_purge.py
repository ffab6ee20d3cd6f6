"""Interest registrations that never became a referral are purged too (IOP 2.3): a rejected one
PURGE_GRACE_DAYS after the decision, a pending one the district never answered
INTEREST_REGISTRATION_LAPSE_DAYS after Bris recorded it. What stays is district, status and dates."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from partnership.models import Agreement, Organisation, Role
from referrals import purge, retention, tasks
from referrals.models import InterestRegistration, InterestRegistrationPurge, PurgeRule
from referrals.selectors import interest_registrations_purge_due
from referrals.tasks import purge_due_sweep
from tests.factories import city, make_interest_registration, make_referral, make_user
from tests.referrals.lifecycle import database_text, documented_child

pytestmark = pytest.mark.django_db

PENDING = InterestRegistration.Status.PENDING
CONFIRMED = InterestRegistration.Status.CONFIRMED
REJECTED = InterestRegistration.Status.REJECTED

DAY = datetime.timedelta(days=1)
# Fixed days in the past, so the rule is tested without the wall clock.
REGISTERED = datetime.date(2026, 3, 1)
DECIDED = datetime.date(2026, 3, 28)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def manager(db):
    return make_user(Role.OPERATIONS_MANAGER, username="gallrare")


def due(registration, on) -> bool:
    return interest_registrations_purge_due(on=on).filter(pk=registration.pk).exists()


# --- The rule ------------------------------------------------------------------------------------


def test_a_pending_registration_lapses_the_lapse_period_after_it_was_registered(settings):
    registration = make_interest_registration(registered_on=REGISTERED)
    assert retention.interest_registration_due_on(registration) == REGISTERED + 180 * DAY
    settings.INTEREST_REGISTRATION_LAPSE_DAYS = 10
    assert retention.interest_registration_due_on(registration) == REGISTERED + 10 * DAY


@pytest.mark.parametrize("status", [REJECTED, CONFIRMED])
def test_a_decided_registration_without_referral_is_due_the_grace_period_after_the_decision(status, settings):
    registration = make_interest_registration(status=status, registered_on=REGISTERED, decided_on=DECIDED)
    assert registration.referral is None
    assert retention.interest_registration_due_on(registration) == DECIDED + 30 * DAY
    settings.PURGE_GRACE_DAYS = 3
    assert retention.interest_registration_due_on(registration) == DECIDED + 3 * DAY


def test_a_registration_that_became_a_referral_is_left_to_the_referrals_purge():
    referral = make_referral()
    registration = make_interest_registration(
        status=CONFIRMED, registered_on=REGISTERED, decided_on=DECIDED, referral=referral
    )
    assert retention.interest_registration_due_on(registration) is None
    assert not due(registration, DECIDED + 3650 * DAY)
    assert purge.interest_registrations_purge_due(on=DECIDED + 3650 * DAY) == 0
    assert InterestRegistration.objects.filter(pk=registration.pk).exists()


@pytest.mark.parametrize(
    ("status", "start", "days_setting", "days"),
    [
        (PENDING, REGISTERED, "INTEREST_REGISTRATION_LAPSE_DAYS", 180),
        (PENDING, REGISTERED, "INTEREST_REGISTRATION_LAPSE_DAYS", 28),
        (REJECTED, DECIDED, "PURGE_GRACE_DAYS", 30),
        (REJECTED, DECIDED, "PURGE_GRACE_DAYS", 1),
        (CONFIRMED, DECIDED, "PURGE_GRACE_DAYS", 30),
    ],
)
def test_not_due_the_day_before_and_due_on_the_day(status, start, days_setting, days, settings):
    setattr(settings, days_setting, days)
    registration = make_interest_registration(status=status, registered_on=REGISTERED, decided_on=DECIDED)
    due_on = start + days * DAY
    assert retention.interest_registration_due_on(registration) == due_on
    assert not due(registration, due_on - DAY)
    assert due(registration, due_on)
    assert due(registration, due_on + DAY)


def test_the_pending_clock_ignores_the_grace_period_and_the_decided_clock_the_lapse_period():
    pending = make_interest_registration(registered_on=REGISTERED)
    rejected = make_interest_registration(status=REJECTED, registered_on=REGISTERED, decided_on=REGISTERED)
    on = REGISTERED + 30 * DAY
    assert not due(pending, on) and due(rejected, on)


# --- Purging -------------------------------------------------------------------------------------


def test_purge_deletes_the_due_registrations_and_leaves_proof_without_personal_data(manager, settings):
    rejected = make_interest_registration(status=REJECTED, registered_on=REGISTERED, decided_on=DECIDED)
    lapsed = make_interest_registration(registered_on=REGISTERED, district_name="Bromma")
    not_yet = make_interest_registration(status=REJECTED, registered_on=REGISTERED, decided_on=DECIDED + 5 * DAY)
    on = DECIDED + 30 * DAY
    settings.INTEREST_REGISTRATION_LAPSE_DAYS = (on - REGISTERED).days

    assert purge.interest_registrations_purge_due(on=on, by=manager) == 2

    assert list(InterestRegistration.objects.all()) == [not_yet]
    proofs = InterestRegistrationPurge.objects.order_by("district__name")
    assert [
        (p.district.name, p.status_at_purge, p.registered_on, p.decided_on, p.rule, p.purged_by) for p in proofs
    ] == [
        ("Bromma", PENDING, REGISTERED, None, PurgeRule.LAPSED, manager),
        ("Farsta", REJECTED, REGISTERED, DECIDED, PurgeRule.GRACE_PERIOD, manager),
    ]
    assert all(proof.purged_at is not None for proof in proofs)
    assert {proof.agreement_id for proof in proofs} == {lapsed.agreement_id}
    assert {rejected.pk, lapsed.pk}.isdisjoint(InterestRegistration.objects.values_list("pk", flat=True))


def test_a_rerun_purges_nothing_more():
    make_interest_registration(status=REJECTED, registered_on=REGISTERED, decided_on=DECIDED)
    on = DECIDED + 30 * DAY
    assert purge.interest_registrations_purge_due(on=on) == 1
    assert purge.interest_registrations_purge_due(on=on) == 0
    assert InterestRegistrationPurge.objects.count() == 1
    assert InterestRegistrationPurge.objects.get().purged_by is None


def test_after_the_purge_no_table_holds_the_child_or_the_family():
    make_interest_registration(
        status=REJECTED,
        registered_on=REGISTERED,
        decided_on=DECIDED,
        child_first_name="Yrsa-Lill",
        foster_contact_person="Ottilia Granqvist",
        foster_phone="073-918 27 36",
        foster_email="granqvist.familjehem@example.se",
        message="Yrsa-Lill har svårt att sova efter umgänget.",
    )
    secrets = [
        "Yrsa-Lill",
        "Ottilia Granqvist",
        "073-918 27 36",
        "granqvist.familjehem@example.se",
        "svårt att sova",
        "Gunvors nätverk",  # the district's decision note
    ]
    before = database_text()
    assert all(secret in before for secret in secrets)  # the search can find them

    purge.interest_registrations_purge_due(on=DECIDED + 30 * DAY)

    dump = database_text()
    assert [secret for secret in secrets if secret in dump] == []


# --- The daily sweep and the command ---------------------------------------------------------------


def test_the_daily_sweep_purges_due_registrations_beside_the_referrals(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    referral = documented_child(ended_days_ago=45).referral
    make_interest_registration(status=REJECTED, registered_on=today - 60 * DAY, decided_on=today - 30 * DAY)
    kept = make_interest_registration(status=REJECTED, registered_on=today - 60 * DAY, decided_on=today - 29 * DAY)

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_due_sweep.delay().get() == 1

    referral.refresh_from_db()
    assert referral.purged_at is not None
    assert list(InterestRegistration.objects.all()) == [kept]
    assert InterestRegistrationPurge.objects.count() == 1


def test_a_failing_registration_purge_is_logged_and_the_referral_purges_still_go(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):

    referral = documented_child(ended_days_ago=45).referral

    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(tasks, "interest_registrations_purge_due", broken)
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_due_sweep.delay().get() == 1
    referral.refresh_from_db()
    assert referral.purged_at is not None
    assert "Could not purge the due interest registrations" in caplog.text


def test_command_dry_run_lists_district_status_and_date_only_and_purges_nothing(capsys):
    today = timezone.localdate()
    make_interest_registration(status=REJECTED, registered_on=today - 40 * DAY, decided_on=today - 31 * DAY)
    make_interest_registration(registered_on=today - 180 * DAY, district_name="Bromma")

    call_command("purge_due", "--dry-run")

    output = capsys.readouterr().out
    assert f"Intresseanmälan  Farsta  Inte aktuell  förföll {today - DAY:%Y-%m-%d}" in output
    assert f"Intresseanmälan  Bromma  Väntar på stadsdelen  förföll {today:%Y-%m-%d}" in output
    for secret in ("Tindra", "Gunvor", "070-444 55 66", "familjehemmet@example.se", "träffa andra barn"):
        assert secret not in output
    assert "2 skulle gallras." in output
    assert InterestRegistration.objects.count() == 2
    assert not InterestRegistrationPurge.objects.exists()


def test_command_purges_due_registrations(capsys):
    today = timezone.localdate()
    make_interest_registration(registered_on=today - 180 * DAY)
    kept = make_interest_registration(registered_on=today - 179 * DAY)

    call_command("purge_due")

    output = capsys.readouterr().out
    assert "Gallrade intresseanmälningar som inte blev anmälningar: 1" in output
    assert list(InterestRegistration.objects.all()) == [kept]
    assert InterestRegistrationPurge.objects.get().status_at_purge == PENDING
    call_command("purge_due")
    assert "Inget att gallra." in capsys.readouterr().out


def test_command_has_nothing_to_purge_while_registrations_are_not_due(capsys):
    make_interest_registration(registered_on=timezone.localdate() - 179 * DAY)
    call_command("purge_due", "--dry-run")
    assert capsys.readouterr().out.strip() == "Inget att gallra."


# --- The manager's purge page ------------------------------------------------------------------------


def other_providers_agreement() -> Agreement:
    own = Agreement.objects.first()
    other = Organisation.objects.create(name="Annan förening", kind=Organisation.Kind.NONPROFIT)
    return Agreement.objects.create(
        name="Annat avtal",
        public_party=city(),
        provider=other,
        target_group=own.target_group,
        starts_on=own.starts_on,
        ends_on=own.ends_on,
    )


def test_manager_sees_how_many_are_due_and_the_next_due_dates_without_names(
    manager, make_signed_in_client, django_assert_max_num_queries
):
    today = timezone.localdate()
    for n in range(3):
        make_interest_registration(registered_on=today - (200 + n) * DAY, child_first_name=f"Förfallen{n}")
    make_interest_registration(registered_on=today - 170 * DAY, child_first_name="Snartpending")
    make_interest_registration(
        status=REJECTED,
        registered_on=today - 40 * DAY,
        decided_on=today - 25 * DAY,
        district_name="Bromma",
        child_first_name="Snartavbojd",
    )
    for n in range(6):
        make_interest_registration(registered_on=today - n * DAY, child_first_name=f"Senare{n}")
    make_interest_registration(
        status=CONFIRMED, registered_on=today - 400 * DAY, decided_on=today - 399 * DAY, referral=make_referral()
    )
    make_interest_registration(
        registered_on=today - 300 * DAY, agreement=other_providers_agreement(), child_first_name="Annanorg"
    )
    http = make_signed_in_client(manager)

    # session, user, membership, OTP device, referrals with district and dossier, purge records,
    # interest registrations (due count, next pending, next decided), waiting-list children awaiting
    # the district's confirmation, session save (3)
    with django_assert_max_num_queries(13):
        response = http.get(reverse("referrals:purge_due"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Intresseanmälningar som inte blev anmälningar" in page
    assert response.context["interest"].due_now == 3
    assert "3 intresseanmälningar har förfallit och gallras i natt." in page
    upcoming = [(row.district, row.status, row.due_on) for row in response.context["interest"].upcoming]
    assert upcoming == [
        ("Bromma", "Inte aktuell", today + 5 * DAY),
        ("Farsta", "Väntar på stadsdelen", today + 10 * DAY),
        *[("Farsta", "Väntar på stadsdelen", today + (180 - n) * DAY) for n in (5, 4, 3)],
    ]
    assert f"{today + 5 * DAY:%Y-%m-%d}" in page
    assert "180 dagar efter att den registrerades" in page
    for name in ("Förfallen", "Snart", "Senare", "Annanorg", "Tindra", "Gunvor", "070-444 55 66"):
        assert name not in page


def test_the_section_says_so_when_nothing_is_due(manager, make_signed_in_client):
    make_interest_registration(registered_on=timezone.localdate())
    response = make_signed_in_client(manager).get(reverse("referrals:purge_due"))
    assert "0 intresseanmälningar har förfallit" in response.content.decode()
    assert len(response.context["interest"].upcoming) == 1
