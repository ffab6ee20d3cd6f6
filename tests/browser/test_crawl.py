"""Every page each demo login can reach, in Chromium, through axe-core (WCAG 2.1 A and AA) and
the Nu Html Checker: zero violations and zero errors, the Django admin included (issue 14).

The pages are found as tests/test_links.py finds them (every same-site link and GET form from
the home page), one URL per URL pattern so the crawl stays bounded. The HTML the server sent is
checked by vnu.jar (`make tools` installs it) in one run per login.
"""

import json
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from playwright.sync_api import Page

from tests.browser.helpers import assert_no_axe_violations
from tests.conftest import sign_in_with_second_factor
from tests.matrix_worlds import FAST_HASHERS
from tests.test_links import DEMO_LOGINS, crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def html_checker_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """The Nu Html Checker's errors on the pages (url -> HTML), as 'url: line: message'."""
    java = shutil.which("java")
    if not java or not VNU_JAR.exists():
        pytest.fail("The Nu Html Checker is missing: run `make tools` (needs Java 17 and npm from Debian).")
    names = {}
    for number, (url, html) in enumerate(sorted(pages.items())):
        path = folder / f"page-{number}.html"
        path.write_text(html)
        names[path.name] = url
    result = subprocess.run(  # noqa: S603 - our own files, a fixed command
        [
            java,
            "-Xss2m",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            *map(str, sorted(folder.iterdir())),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{names.get(message.get('url', '').rsplit('/', 1)[-1])}: line {message.get('lastLine')}: {message['message']}"
        for message in messages
    ]


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_every_page_a_demo_login_reaches_passes_axe_and_the_html_checker(
    username, page: Page, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"  # the demo's files, where the crawl downloads them
    with override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS):
        call_command("load_demo_data", stdout=StringIO())
    client = sign_in_with_second_factor(Client(), get_user_model().objects.get(username=username))
    pages: dict[str, str] = {}
    answers = crawl(client, per_pattern_limit=1, pages=pages)
    assert [answer for answer in answers if answer[1] >= 400] == []
    assert len(pages) > 5

    (tmp_path / "html").mkdir()
    errors = html_checker_errors(pages, tmp_path / "html")

    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    failures = []
    for url in sorted(pages):
        page.goto(f"{live_server.url}{url}")
        try:
            assert_no_axe_violations(page)
        except AssertionError as error:
            failures.append(str(error))
    assert (errors, failures) == ([], []), (
        f"Nu Html Checker errors for {username}:\n" + "\n".join(errors) + "\n\naxe:\n" + "\n".join(failures)
    )
