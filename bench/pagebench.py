"""Loading every list and home page with wrk, interleaved with the two baselines.

Each round goes role by role: the template-only page, the naive ListView, then the role's pages,
all in the same signed-in session. Three rounds; every figure is the median of the three.
"""

import json
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .client import Session
from .pages import PAGES, Page, page_url

HERE = Path(__file__).resolve().parent
TEMPLATE_ONLY = "/bench/template-only/"
NAIVE_LIST = "/bench/naive-list/"


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_200: int


@dataclass
class Measured:
    key: str
    label: str
    role: str
    url: str
    runs: list[Run] = field(default_factory=list)
    queries: int | None = None
    response_bytes: int | None = None
    status: int | None = None

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs) if self.runs else 0.0


def wrk(session: Session, path: str, *, seconds: int, connections: int) -> Run:
    """One wrk run against the served app; as many connections as gunicorn has workers."""
    headers = session.headers()
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(HERE / "report.lua"),
        *[argument for name, value in headers.items() if name != "Host" for argument in ("-H", f"{name}: {value}")],
        f"http://{session.host}:{session.port}{path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout  # noqa: S603
    figures = json.loads(output.strip().splitlines()[-1])
    seconds_run = figures["duration_us"] / 1_000_000
    return Run(
        requests_per_second=figures["requests"] / seconds_run,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        non_200=figures["non_200"] + figures["socket_errors"],
    )


def inspect_in_process(page: Page, url: str, user) -> tuple[int, int, int]:
    """Status, response size and query count of one request, served in this process with the
    same database and settings (the served app's figures are the wrk runs')."""
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    return response.status_code, len(response.content), len(queries.captured_queries)


def measure_pages(
    *, sessions: dict, users: dict, rounds: int, seconds: int, connections: int, log
) -> tuple[dict[str, Measured], dict[str, dict[str, Measured]]]:
    """Every page's runs, and per role the baselines' runs (same session, same rounds)."""
    pages: dict[str, Measured] = {}
    baselines: dict[str, dict[str, Measured]] = {}
    for page in PAGES:
        url = page_url(page)
        measured = Measured(page.key, page.label, page.role, url)
        measured.status, measured.response_bytes, measured.queries = inspect_in_process(page, url, users[page.role])
        pages[page.key] = measured
    for role in sessions:
        baselines[role] = {
            "template_only": Measured("template-only", "Mall utan data (50 rader)", role, TEMPLATE_ONLY),
            "naive_list": Measured("naive-list", "Naiv ListView (50 rader, COUNT)", role, NAIVE_LIST),
        }
    for number in range(1, rounds + 1):
        for role, session in sessions.items():
            for baseline in baselines[role].values():
                baseline.runs.append(wrk(session, baseline.url, seconds=seconds, connections=connections))
            for measured in pages.values():
                if measured.role != role:
                    continue
                started = time.monotonic()
                measured.runs.append(wrk(session, measured.url, seconds=seconds, connections=connections))
                log(
                    f"  runda {number}: {measured.label}: {measured.runs[-1].requests_per_second:.1f} req/s "
                    f"({time.monotonic() - started:.0f} s)"
                )
    return pages, baselines
