"""No page shows a link its viewer cannot use: for each demo login, start at the home page and
follow every same-site link and GET form, breadth first, and expect every answer below 400.

Bounded: each URL pattern is visited with at most a few different arguments, so a list of a
thousand rows costs a few requests, and the admin's many models do not run away.
"""

from collections import deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, resolve

from partnership.management.commands.load_demo_data import DEMO_USERS
from tests.conftest import sign_in_with_second_factor
from tests.matrix_worlds import FAST_HASHERS

DEMO_LOGINS = [username for username, *_rest in DEMO_USERS] + ["admin"]
PER_PATTERN = 3  # distinct argument sets visited per URL pattern
PER_ROLE = 400  # requests per login at most
# Not pages: signing out and the language switch are POST forms; static files are not Django's.
NOT_FOLLOWED = {"logout", "set_language"}


class _Links(HTMLParser):
    """The hrefs of <a> and the URLs that GET forms submit to (with their fields' own values)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.urls.append(attributes["href"])
        elif tag == "form" and (attributes.get("method") or "get").lower() == "get":
            self._form = {"action": attributes.get("action") or "", "fields": []}
        elif self._form is not None and tag in ("input", "select", "textarea") and attributes.get("name"):
            kind = (attributes.get("type") or "").lower()
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            if kind != "submit":
                self._form["fields"].append((attributes["name"], attributes.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            query = urlencode(self._form["fields"])
            self.urls.append(f"{self._form['action']}?{query}" if query else self._form["action"] or "?")
            self._form = None


def _key(path, query):
    """URL pattern + arguments + the names of the query parameters: one visit each."""
    match = resolve(path)
    return (
        match.view_name,
        tuple(sorted(match.kwargs.items())),
        tuple(sorted({part.split("=")[0] for part in query.split("&") if part})),
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    # The demo's files (a method's manual) stay where the crawl downloads them from.
    media = tmp_path_factory.mktemp("demo")
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(MEDIA_ROOT=media):
        with override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS):
            call_command("load_demo_data", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def crawl(client, start="/", *, per_pattern_limit=PER_PATTERN, pages=None):
    """(url, status, found on) for every page reached from the start, breadth first. With a dict
    as `pages`, each HTML page's URL is kept there with its HTML."""
    queue = deque([(start, None)])
    seen, per_pattern, answers = set(), {}, []
    while queue and len(answers) < PER_ROLE:
        url, found_on = queue.popleft()
        path, query = urlsplit(url).path, urlsplit(url).query
        try:
            key = _key(path, query)
        except Resolver404:
            answers.append((url, 404, found_on))
            continue
        if key in seen or key[0] in NOT_FOLLOWED or per_pattern.get(key[0], 0) >= per_pattern_limit:
            continue
        seen.add(key)
        per_pattern[key[0]] = per_pattern.get(key[0], 0) + 1
        response = client.get(url)
        answers.append((url, response.status_code, found_on))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        if pages is not None:
            pages[url] = response.content.decode()
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.urls:
            target = urldefrag(urljoin(url, href)).url
            parts = urlsplit(target)
            if (
                parts.scheme in ("", "http")
                and parts.netloc in ("", "testserver")
                and not parts.path.startswith(("/static/", "/media/"))
            ):
                queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), url))
    return answers


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_every_link_a_demo_login_sees_answers_below_400(username, demo, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    client = sign_in_with_second_factor(Client(), get_user_model().objects.get(username=username))
    answers = crawl(client)
    broken = [f"{status} {url} (linked from {found_on})" for url, status, found_on in answers if status >= 400]
    assert len(answers) > 5, answers
    assert broken == [], f"{username} is shown links that fail:\n" + "\n".join(broken)
