"""What PostgreSQL plans for each page's queries: used by tests/test_query_plans.py (CI) and by
hand (`python -m bench.plans`) on the bench's database."""

import json
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .pages import Page, page_url


@dataclass(frozen=True)
class SeqScan:
    table: str
    rows: int
    sql: str


def big_tables(min_rows: int) -> dict[str, int]:
    """Tables the planner believes hold at least `min_rows` rows (after ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples >= %s",
            [min_rows],
        )
        return dict(cursor.fetchall())


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def seq_scans_in(sql: str, tables: dict[str, int]) -> list[SeqScan]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return [
        SeqScan(node["Relation Name"], tables[node["Relation Name"]], sql)
        for node in _nodes(plan[0]["Plan"])
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in tables
    ]


def anonymous_client() -> Client:
    return Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")


def signed_in_client(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@dataclass
class PagePlan:
    page: Page
    status: int
    queries: int
    seq_scans: list[SeqScan]
    response_bytes: int = 0


def page_plan(page: Page, client: Client, tables: dict[str, int]) -> PagePlan:
    """Open the page once, then EXPLAIN every SELECT it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page_url(page), secure=True)
    scans = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.lstrip().upper().startswith("SELECT"):
            scans += seq_scans_in(sql, tables)
    return PagePlan(page, response.status_code, len(captured.captured_queries), scans, len(response.content))
