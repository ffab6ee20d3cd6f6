import datetime
import os
import shutil
import subprocess
import sys
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from partnership.models import Role
from tests.factories import confirmed_totp_device, make_user

IN_CI = os.environ.get("CI", "").lower() == "true"


# --- The clock -------------------------------------------------------------------------------

# GRUPPSTOD_TEST_NOW=2028-02-29T00:30 runs every test as if it were then (Stockholm time; the clock
# keeps ticking from there): no test may depend on the day it happens to run. Browser tests keep
# the real clock, because Chromium reads it (cookie expiry, date inputs).
TEST_NOW = os.environ.get("GRUPPSTOD_TEST_NOW", "")


STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
# Wednesday 11 March 2026, 10:00: a week with no public holiday near it (the groups' schedule
# skips holidays, so a test counting days to a group's first meeting fails around Christmas).
AN_ORDINARY_DAY = datetime.datetime(2026, 3, 11, 10, tzinfo=STOCKHOLM)


@pytest.fixture
def an_ordinary_day():
    """For a test whose subject is today's date: it runs on AN_ORDINARY_DAY, the clock ticking."""
    with time_machine.travel(AN_ORDINARY_DAY, tick=True):
        yield


@pytest.fixture(autouse=True)
def _test_now(request):
    if not TEST_NOW or request.node.get_closest_marker("browser"):
        yield
        return
    moment = datetime.datetime.fromisoformat(TEST_NOW).replace(tzinfo=STOCKHOLM)
    with time_machine.travel(moment, tick=True):
        yield


# --- CI refuses skips ------------------------------------------------------------------------


def pytest_sessionfinish(session, exitstatus):
    # Under CI a skipped test is a test that did not run: fail the run instead of hiding it.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped and session.exitstatus == 0:
        reporter.write_line(f"CI=true: {skipped} test(s) skipped; skips are failures in CI.", red=True)
        session.exitstatus = 1


def require_postgresql():
    """For tests that need PostgreSQL (row locking, concurrency): skipped only outside CI."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... to run it")


@pytest.fixture(autouse=True)
def swedish_to_begin_with():
    # LocaleMiddleware leaves a request's language active in the thread: a test that opened an
    # English page would otherwise hand English to the next test in the same process.
    translation.activate("sv")
    yield
    translation.activate("sv")


@pytest.fixture(autouse=True)
def empty_rate_limit_counts():
    # Rate-limit counts live in the cache (the test process's memory): each test starts at zero.
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    # Argon2 is deliberately slow; the suite creates hundreds of users. Session-wide, so that
    # worlds built once per module (the permission matrix) hash fast too.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# --- Users and signed-in clients -------------------------------------------------------------


def totp_token(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_second_factor(client, user):
    """Sign the client in with password and a verified second factor, as a real login ends."""
    device = confirmed_totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def make_signed_in_client(client):
    """A client signed in with password and a verified second factor, as a real login ends."""

    def sign_in(user):
        return sign_in_with_second_factor(client, user)

    return sign_in


@pytest.fixture
def group_leader(db):
    return make_user(Role.GROUP_LEADER, username="ledare")


@pytest.fixture
def operations_manager(db):
    return make_user(Role.OPERATIONS_MANAGER, username="chef")


@pytest.fixture
def social_worker(db):
    return make_user(Role.SOCIAL_WORKER, username="socsek", district_name="Farsta")


@pytest.fixture
def coordinator(db):
    return make_user(Role.COORDINATOR, username="samordnare")


@pytest.fixture
def superuser(db):
    user = make_user(None, username="admin")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


# --- Browser harness -------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _chromium_executable() -> str | None:
    """The system Chromium when present, else Playwright's own download; fail, never skip."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    result = subprocess.run(
        [sys.executable, "-m", "playwright", "install", "chromium"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            "No Chromium for the browser tests: install Debian's `chromium` package or run "
            f"`python -m playwright install chromium`.\n{result.stderr[-500:]}"
        )
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = _chromium_executable()
    args = {**browser_type_launch_args, "args": CHROMIUM_FLAGS}
    if executable:
        args["executable_path"] = executable
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE", "timezone_id": "Europe/Stockholm"}
