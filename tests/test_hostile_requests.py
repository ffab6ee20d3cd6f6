"""No address, query string or form answers 500 through its encoding (issue 14).

Every URL pattern comes from the resolver: each converter in it gets hostile values (control
characters, NUL, invalid UTF-8, bidi overrides, overlong text, huge numbers), and so does the
query string, for an anonymous visitor and for signed-in users. A fixed pass covers every pattern
with the worst values; hypothesis then mixes values, names and patterns. Run it on PostgreSQL:
that is where a NUL byte used to fail (`GET /grupper/kalender/%00.ics` answered 500).
"""

import re
import string
from urllib.parse import quote, quote_from_bytes

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnership.models import Role
from tests.factories import confirmed_totp_device, make_user

_CONVERTER = re.compile(r"<(?:\w+:)?\w+>")
_REGEX_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")

# Already percent-encoded values: each must be refused (400) or not found (404), never 500.
WORST_VALUES = [
    "%00",
    "%00.ics",
    "%FF%FE",  # invalid UTF-8
    "%E2%80%AE",  # right-to-left override
    "9" * 40,  # past bigint
    "a" * 3000,  # overlong
    "..%2F..%2Fetc",
]
QUERY_NAMES = ["sida", "next", "year", "manad", "q", "status", "fran", "till", "sok"]


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + _template(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + _template(pattern.pattern)


def _template(pattern) -> str:
    """The pattern as text with "{}" in each converter's or named group's place."""
    if isinstance(pattern, RoutePattern):
        return _CONVERTER.sub("{}", str(pattern))
    assert isinstance(pattern, RegexPattern)
    return _REGEX_GROUP.sub("{}", str(pattern)).lstrip("^").rstrip("$")


TEMPLATES = sorted(set(_walk(get_resolver().url_patterns)))


def _url(template: str, value: str) -> str:
    return "/" + template.replace("{}", value)


def _signed_in(user) -> Client:
    client = Client()
    device = confirmed_totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def visitors(db):
    superuser = make_user(None, username="admin")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    return {
        "anonymous": Client(),
        "coordinator": _signed_in(make_user(Role.COORDINATOR, username="samordnare")),
        "social_worker": _signed_in(make_user(Role.SOCIAL_WORKER, username="socsek", district_name="Farsta")),
        "superuser": _signed_in(superuser),
    }


def _assert_no_server_error(client, method, url, **extra):
    response = getattr(client, method)(url, **extra)
    assert response.status_code < 500, f"{method.upper()} {url[:200]!r} answered {response.status_code}"
    return response


def test_the_walk_reaches_every_pattern():
    assert len(TEMPLATES) > 200
    assert "grupper/kalender/{}.ics" in TEMPLATES


@pytest.mark.django_db
def test_the_calendar_nul_byte_is_a_400(client):
    response = client.get("/grupper/kalender/%00.ics")
    assert response.status_code == 400
    assert "Felaktig förfrågan" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["sida=%00", "sida=%FF", "next=%0A%0D%1B", "%00=1", "q=" + "x" * 5000],
    ids=["nul", "invalid-utf8", "escape", "nul-name", "overlong"],
)
@pytest.mark.django_db
def test_hostile_query_strings_are_a_400(client, query):
    assert client.get(f"/anmalningar/?{query}").status_code == 400


@pytest.mark.django_db
def test_a_session_cookie_with_an_escaped_nul_is_a_400(client):
    # Django unquotes "\\000" in a quoted cookie to NUL; the session key is a database lookup.
    response = client.get("/konto/logga-in/", HTTP_COOKIE='sessionid="abcdefgh\\000ijklmnop"')
    assert response.status_code == 400


@pytest.mark.parametrize("body", [b"reason=%00", b"reason=a%01b", b"reason=%FF%FE"], ids=["nul", "soh", "invalid"])
@pytest.mark.django_db
def test_hostile_form_bodies_are_a_400(client, body):
    response = client.post("/konto/logga-in/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


@pytest.mark.django_db
def test_text_a_form_sends_passes(client):
    # Tab, line feed and carriage return come from every textarea, vertical tab and form feed
    # from text pasted out of a word processor; they must pass.
    body = b"username=n%C3%A5gon&password=a%09b%0D%0Ac%0B%0C"
    assert client.post("/konto/logga-in/", body, content_type="application/x-www-form-urlencoded").status_code == 200


@pytest.mark.django_db
def test_every_pattern_with_the_worst_values(visitors):
    for client in visitors.values():
        for template in TEMPLATES:
            for value in WORST_VALUES if "{}" in template else ["x"]:
                _assert_no_server_error(client, "get", _url(template, value))
            _assert_no_server_error(client, "get", _url(template, "1") + "?sida=%00&next=%FF")


_printable = st.text(alphabet=st.characters(codec="utf-8"), max_size=40).map(lambda text: quote(text, safe=""))
_raw_bytes = st.binary(max_size=24).map(lambda raw: quote_from_bytes(raw, safe=""))
_numbers = st.integers(min_value=-(10**30), max_value=10**30).map(str)
_long = st.integers(min_value=200, max_value=6000).map(lambda n: "å" * n).map(lambda text: quote(text, safe=""))
_plain = st.text(alphabet=string.ascii_letters + string.digits + "-_.", min_size=1, max_size=40)
HOSTILE = st.one_of(_printable, _raw_bytes, _numbers, _long, _plain)


@pytest.mark.django_db
def test_hostile_values_in_every_converter_and_query_string(visitors):
    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        visitor=st.sampled_from(sorted(visitors)),
        template=st.sampled_from(TEMPLATES),
        value=HOSTILE,
        query=st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), HOSTILE), HOSTILE), max_size=3),
    )
    def check(visitor, template, value, query):
        query_string = "&".join(f"{name}={text}" for name, text in query)
        url = _url(template, value) + (f"?{query_string}" if query_string else "")
        _assert_no_server_error(visitors[visitor], "get", url)

    check()


@pytest.mark.django_db
def test_hostile_form_bodies_never_reach_a_view(visitors):
    # Every form field that carries a control character or invalid UTF-8 is refused before any
    # view runs, so no view can half-save it.
    bad = st.one_of(
        st.sampled_from(["%00", "%01", "%1B", "%7F", "%FF", "%C0%80"]),
        st.tuples(_plain, st.sampled_from(["%00", "%08", "%FE"])).map("".join),
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        visitor=st.sampled_from(sorted(visitors)),
        template=st.sampled_from(TEMPLATES),
        name=st.one_of(st.sampled_from(["reason", "name", "description", "text"]), _plain),
        value=bad,
    )
    def check(visitor, template, name, value):
        url = _url(template, "1")
        response = visitors[visitor].post(url, f"{name}={value}", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, f"POST {url!r} {name}={value!r}: {response.status_code}"

    check()
