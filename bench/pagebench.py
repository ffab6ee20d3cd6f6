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

from .client import Session
from .pages import PAGES, Page, page_url
from .plans import PagePlan, anonymous_client, big_tables, page_plan, signed_in_client

HERE = Path(__file__).resolve().parent
TEMPLATE_ONLY = "/bench/template-only/"
NAIVE_LIST = "/bench/naive-list/"
# The Scale issue: no page may read a table of more than this many rows from end to end.
BIG_TABLE_ROWS = 10_000


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
    seq_scans: list[str] = field(default_factory=list)

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


def inspect_in_process(page: Page, user, tables: dict[str, int]) -> PagePlan:
    """Status, query count and the plan of every query of one request, served in this process
    with the same database and settings (the served app's figures are the wrk runs')."""
    return page_plan(page, anonymous_client() if page.anonymous else signed_in_client(user), tables)


def measure_pages(
    *, sessions: dict, users: dict, rounds: int, seconds: int, connections: int, log
) -> tuple[dict[str, Measured], dict[str, dict[str, Measured]]]:
    """Every page's runs, and per role the baselines' runs (same session, same rounds)."""
    pages: dict[str, Measured] = {}
    baselines: dict[str, dict[str, Measured]] = {}
    tables = big_tables(BIG_TABLE_ROWS)
    pages_by_key = {page.key: page for page in PAGES}
    for page in PAGES:
        url = page_url(page)
        measured = Measured(page.key, page.label, page.role, url)
        plan = inspect_in_process(page, users[page.role], tables)
        measured.status, measured.queries = plan.status, plan.queries
        measured.response_bytes = plan.response_bytes
        measured.seq_scans = sorted({scan.table for scan in plan.seq_scans})
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
                # A public page opened as the public does: the same server, no cookie.
                as_whom = Session(session.host, session.port) if pages_by_key[measured.key].anonymous else session
                measured.runs.append(wrk(as_whom, measured.url, seconds=seconds, connections=connections))
                log(
                    f"  runda {number}: {measured.label}: {measured.runs[-1].requests_per_second:.1f} req/s "
                    f"({time.monotonic() - started:.0f} s)"
                )
    return pages, baselines
