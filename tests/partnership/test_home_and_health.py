import pytest
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from partnership.models import District, Organisation, Role
from tests.factories import SEED_AGREEMENT_PERIOD, make_agreement, make_user

pytestmark = pytest.mark.django_db

HOME_HEADINGS = {
    Role.GROUP_LEADER: "Kommande gruppträffar",
    Role.OPERATIONS_MANAGER: "Anmälningar redo för placering",
    Role.SOCIAL_WORKER: "Anmälningar som väntar på samtycke",
    Role.COORDINATOR: "Förskottsbetalningar",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_own_home(make_signed_in_client, role, django_assert_max_num_queries):
    client = make_signed_in_client(make_user(role))
    # session, user, OTP device, membership, organisation, agreement in force (or latest) and
    # its budget lines, Django's own permission tables (user, group) behind the menu's rules,
    # and savepoints. None of it grows with the data.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert HOME_HEADINGS[role] in body
    assert all(heading not in body for other, heading in HOME_HEADINGS.items() if other != role)


def test_social_worker_home_names_their_district(make_signed_in_client):
    client = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Skärholmen"))
    assert "Socialsekreterare, Skärholmen" in client.get(reverse("home")).content.decode()


def test_home_rejects_post(make_signed_in_client, coordinator):
    assert make_signed_in_client(coordinator).post(reverse("home")).status_code == 405


def test_the_thirteen_districts_and_both_parties_are_seeded():
    assert District.objects.count() == 13
    assert District.objects.filter(name="Enskede-Årsta-Vantör").exists()
    assert set(Organisation.objects.values_list("short_name", flat=True)) == {"Socialförvaltningen", "Bris"}


def test_admin_is_for_superusers_only(make_signed_in_client, coordinator, superuser):
    coordinator.is_staff = True  # even a staff flag set by mistake does not open the admin
    coordinator.save()
    assert make_signed_in_client(coordinator).get("/admin/").status_code == 302
    admin_client = make_signed_in_client(superuser)
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin/partnership/district/").status_code == 200


def test_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_hsts_and_secure_cookies_in_production(client, settings):
    # The suite runs with SSL redirect off; production defaults turn HSTS and secure cookies on.
    settings.SECURE_SSL_REDIRECT = False
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_healthz_reports_database_and_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # check the real Redis the machine runs
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(client, settings):

    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


def test_home_shows_the_agreement_and_its_budget_in_swedish_format(make_signed_in_client, coordinator):
    today = timezone.localdate()
    make_agreement(starts_on=today.replace(month=1, day=1), ends_on=today.replace(month=12, day=31))
    body = make_signed_in_client(coordinator).get(reverse("home")).content.decode()
    assert "711\u00a0833,00\u00a0kr" in body
    assert "minst 4 grupper, cirka 40 barn" in body


def test_home_never_shows_an_agreement_out_of_force_as_current(make_signed_in_client, coordinator):
    make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])  # over, not taken for today
    body = make_signed_in_client(coordinator).get(reverse("home")).content.decode()
    assert "Ingen överenskommelse gäller i dag" in body
    assert "711\u00a0833,00\u00a0kr" not in body
