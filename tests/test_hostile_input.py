"""Hostile input on every form (issue 14): long and mixed unicode, control characters, NUL,
bidirectional overrides, HTML and JavaScript, SQL-looking text, huge numbers and dates at the
edges, typed into every text, number and date field of every POST form on every page of the
matrix world (tests/matrix_worlds.py), by a visitor who may use the page.

Each answer is a clear form error or a saved, cleaned value: never a 500, never a half-saved
form, never a raw <script> back on the page, never a control or bidi character in the database.
"""

import datetime
import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from followup.information import information_meeting_send_invitations
from followup.models import DistrictContact, InformationMeeting
from groups.services import group_place_child
from partnership.models import Role
from partnership.text import BIDI_CONTROLS, CONTROL_CHARACTERS
from tests.conftest import sign_in_with_second_factor
from tests.factories import district, make_agreement, make_group, make_referral, make_user
from tests.matrix_worlds import world_for_module
from tests.test_permission_matrix import MATRIX, _changed_tables, database_snapshot

SCRIPT = "<script>alert(1)</script>"
HOSTILE_TEXT = st.one_of(
    st.sampled_from(
        [
            SCRIPT,
            '"><img src=x onerror=alert(1)>',
            "Robert'); DROP TABLE referrals_referral;--",
            "1 OR 1=1",
            "Al\x00va",
            "Al\u202eavl",
            "\u2066Alva\u2069",
            "Bo\x07\x1b[31m",
            "Ж" * 5000,
            "👨‍👩‍👧‍👦" * 50,
            "ﷺ" * 300,
            " ",
            "",
        ]
    ),
    st.text(min_size=1, max_size=300),
)
HOSTILE_NUMBER = st.sampled_from(["-1", "0", "1e308", "9" * 40, "-9" * 20, "NaN", "1,5", "12 345,67", "0x10"])
HOSTILE_DATE = st.sampled_from(
    ["0001-01-01", "9999-12-31", "1900-02-29", "2017-02-29", "2024-02-29", "10000-01-01", "2018-13-01", "idag"]
)
HOSTILE_TIME = st.sampled_from(["00:00", "23:59", "24:00", "25:61", "-1:00"])
# The visitors who may fill in a page's forms; the one shown the most forms does. The second
# provider's staff fill in the pages of their own groups (coordination).
FILLERS = [
    "operations_manager",
    "coordinator",
    "social_worker",
    "group_leader",
    "other_provider_operations_manager",
    "other_provider_group_leader",
    "anonymous",
]
TEXT_TYPES = {"text", "email", "tel", "search", "url", "password", ""}


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name, kind, value, options)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            post = (attributes.get("method") or "").lower() == "post"
            self._form = {"action": attributes.get("action") or "", "fields": []} if post else None
            if post:
                self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attributes.get("value") or "")
        elif self._form is None or not attributes.get("name"):
            return
        elif tag == "input":
            kind = (attributes.get("type") or "").lower()
            self._form["fields"].append(
                {"name": attributes["name"], "kind": kind, "value": attributes.get("value") or ""}
            )
        elif tag == "textarea":
            self._form["fields"].append({"name": attributes["name"], "kind": "textarea", "value": ""})
        elif tag == "select":
            self._select = {"name": attributes["name"], "kind": "select", "value": "", "options": []}
            self._select["multiple"] = "multiple" in attributes
            self._form["fields"].append(self._select)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _fuzzable(form):
    kinds = {field["kind"] for field in form["fields"]}
    return bool(kinds & (TEXT_TYPES | {"textarea", "number", "date", "time", "datetime-local"}))


def _filler(expected):
    return next((role for role in FILLERS if expected[role] == 200), None)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with world_for_module(django_db_blocker, tmp_path_factory.mktemp("hostile-media")) as built:
        yield built


def _forms_as(role, url, existing):
    client = Client()
    if role != "anonymous":
        sign_in_with_second_factor(client, existing[role])
    response = client.get(url)
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return client, []
    parser = _Forms()
    parser.feed(response.content.decode())
    return client, [form for form in parser.forms if _fuzzable(form)]


def _page_with_forms(url_name, world):
    """The page's URL, and the client and forms of the visitor who sees the most forms to fill."""
    objects, existing = world
    kwargs_for, expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs_for(objects))
    candidates = [_forms_as(role, url, existing) for role in FILLERS if expected[role] == 200]
    client, forms = max(candidates, key=lambda candidate: len(candidate[1]), default=(None, []))
    return client, url, forms


# The pages with a POST form that takes typed input (text, numbers, dates), for the visitor shown
# the most of them. Checked both ways, so a new form elsewhere cannot escape the fuzzing below.
FORM_PAGES = {
    "citywide:participant_answer",
    "composition:accept",
    "composition:suggest",
    "followup:reference_group",
    "followup:reference_groups",
    "followup:reference_member",
    "methods:detail",
    "methods:edit",
    "methods:library",
    "consent:access_log",
    "consent:concern",
    "consent:consent_create",
    "consent:consent_withdraw",
    "consent:log_review",
    "coordination:interest_create",
    "coordination:mailing",
    "coordination:participant_attendance",
    "coordination:participant_visit",
    "coordination:participants",
    "coordination:provider_create",
    "coordination:provider_edit",
    "coordination:publication",
    "coordination:staff_invite",
    "finance:agreement_change",
    "finance:agreement_create",
    "finance:cost_change",
    "finance:cost_create",
    "finance:cost_remove",
    "finance:fee_mark_paid",
    "finance:fee_void",
    "finance:payment_mark_paid",
    "finance:payment_reopen",
    "finance:report",
    "finance:travel_create",
    "finance:year_reopen",
    "followup:amendment_create",
    "followup:amendment_detail",
    "followup:answer_create",
    "followup:contact_create",
    "followup:contact_edit",
    "followup:information_create",
    "followup:information_detail",
    "followup:link_create",
    "followup:meeting_create",
    "followup:meeting_detail",
    "followup:public_answer",
    "groups:attendance",
    "groups:cancel",
    "groups:create",
    "groups:meeting_move",
    "groups:placement_remove",
    "groups:visit",
    "groups:waiting_list_move",
    "password_change",
    "referrals:create",
    "referrals:detail",
    "referrals:guardian_add",
    "referrals:guardian_change",
    "referrals:interest_confirm",
    "referrals:interest_create",
    "referrals:interest_reject",
    "referrals:list",
    "two_factor_setup",
}


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_the_pages_with_typed_input_are_all_fuzzed(url_name, world, db):
    _client, _url, forms = _page_with_forms(url_name, world)
    assert bool(forms) == (url_name in FORM_PAGES), f"{url_name}: update FORM_PAGES"


def _fill(data, form):
    fields = {}
    for field in form["fields"]:
        name, kind = field["name"], field["kind"]
        if name == "csrfmiddlewaretoken" or kind in ("submit", "button", "file"):
            continue
        if kind == "hidden":
            value = field["value"]
        elif kind in TEXT_TYPES or kind == "textarea":
            value = data.draw(HOSTILE_TEXT)
        elif kind == "number":
            value = data.draw(HOSTILE_NUMBER)
        elif kind == "date":
            value = data.draw(HOSTILE_DATE)
        elif kind in ("time", "datetime-local"):
            value = data.draw(HOSTILE_TIME)
        elif kind == "select":
            value = data.draw(st.sampled_from(field["options"])) if field["options"] else ""
        elif kind in ("checkbox", "radio"):
            if not data.draw(st.booleans()):
                continue
            value = field["value"] or "on"
        else:
            value = data.draw(HOSTILE_TEXT)
        fields.setdefault(name, []).append(value)
    return fields


def _strings_with_controls(before, after):
    """Text written by the request that holds a control or bidi character."""
    found = []
    for label in _changed_tables(before, after):
        for row in (row for row in after[label] if row not in before[label]):
            found += [
                value
                for value in row
                if isinstance(value, str) and (CONTROL_CHARACTERS.search(value) or BIDI_CONTROLS.search(value))
            ]
    return found


# Showing a child's data again is logged as a view: that row is the log of the read, not the form.
READ_LOGS = {"partnership.AccessLogEntry"}
SHOWS_AN_ERROR = re.compile(r"is-invalid|invalid-feedback|alert-danger|errorlist|role=\"alert\"")


@pytest.mark.parametrize("url_name", sorted(FORM_PAGES))
def test_hostile_input_on_every_form_meets_a_clear_answer(url_name, world, db):
    client, url, forms = _page_with_forms(url_name, world)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data(), index=st.integers(min_value=0, max_value=len(forms) - 1))
    def post_hostile(data, index):
        form = forms[index]
        action = urljoin(url, form["action"]) if form["action"] else url
        try:
            resolve(action.split("?")[0])
        except Resolver404:
            pytest.fail(f"{url_name}: a form posts to {action}, which does not exist")
        before = database_snapshot()
        response = client.post(action, _fill(data, form))
        after = database_snapshot()
        assert response.status_code < 500, f"{url_name}: {response.status_code}"
        assert _strings_with_controls(before, after) == []
        body = response.content.decode(errors="replace") if response.status_code == 200 else ""
        assert SCRIPT not in body
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            # Shown again: with a clear error beside what was wrong, and nothing half-saved.
            main = body[body.find("<main") : body.find("</main>")]
            assert SHOWS_AN_ERROR.search(body), f"{url_name}: the form came back without an error:\n{main}"
            written = [label for label in _changed_tables(before, after) if label not in READ_LOGS]
            assert written == [], f"{url_name}: a refused form wrote rows"

    post_hostile()


# --- In PDFs and emails ---------------------------------------------------------------------
# Text with markup in it, in letters every PDF font has: it must come out as the same text.
MARKUP_TEXT = st.text(alphabet="<>&\"'/=;()abcxyzÅÄÖåäö -", min_size=1, max_size=40).filter(lambda text: text.strip())


def _squeezed(text):
    return re.sub(r"\s+", "", text)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(first_name=MARKUP_TEXT)
def test_a_name_with_markup_prints_as_written_in_the_attendance_pdf(first_name, db, make_signed_in_client):
    with transaction.atomic():
        manager, leader = make_user(Role.OPERATIONS_MANAGER), make_user(Role.GROUP_LEADER)
        group = make_group(leaders=[leader], manager=manager)
        group_place_child(group=group, referral=make_referral(first_name=first_name), placed_by=manager)
        response = make_signed_in_client(leader).get(reverse("groups:attendance_pdf", args=[group.public_id]))
        assert response.status_code == 200
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        assert _squeezed(first_name.strip()) in _squeezed(text)
        transaction.set_rollback(True)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(name=MARKUP_TEXT, topic=MARKUP_TEXT)
def test_text_with_markup_is_escaped_in_the_html_mail_and_kept_in_the_plain_one(
    name, topic, db, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with transaction.atomic():
        agreement = make_agreement()
        manager = make_user(Role.OPERATIONS_MANAGER)
        DistrictContact.objects.create(district=district("Farsta"), name=name, role="Chef", email="fientlig@example.se")
        meeting = InformationMeeting.objects.create(
            agreement=agreement,
            starts_at=timezone.now() + datetime.timedelta(days=14),
            location="Bris",
            topic=topic,
            created_by=manager,
        )
        with django_capture_on_commit_callbacks(execute=True):
            information_meeting_send_invitations(meeting=meeting, by=manager)
        transaction.set_rollback(True)
    (message,) = [message for message in mail.outbox if message.to == ["fientlig@example.se"]]
    html = message.alternatives[0][0]
    for text in (name, topic):
        assert text in message.body
        assert escape(text) in html
    if "<" in name + topic:
        assert "<" not in re.sub(r"</?(p|br)>", "", html)
