"""The background work's figures at national scale: the two PDFs against bare WeasyPrint on the
same HTML, purging a closed group, a purge backlog, the reminder sweep (bench/reminders.py, by the
jobs work) and the access log's filters at ten million rows."""

import datetime
import importlib.util
import logging
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from weasyprint import CSS, HTML

from followup import report as followup_report
from groups import selectors as group_selectors
from groups.models import GroupStatus, Placement, SupportGroup
from partnership.models import AccessLogEntry
from partnership.pdf import STYLESHEETS, render_pdf
from partnership.selectors import agreement_current
from referrals.models import ENDED_STATUSES, PurgeRule, Referral
from referrals.purge import purge_due_batch, referrals_purge

from . import seed
from .plans import signed_in_client
from .report import Target, TargetReport

HERE = Path(__file__).resolve().parent
logger = logging.getLogger(__name__)
MAX_PDF_RATIO = 1.5
MAX_GROUP_PURGE_MS = 50
MIN_BACKLOG_PER_SECOND = 20_000
BACKLOG_CHILDREN = 50_000
MAX_ACCESS_LOG_MS = 50


def _median_seconds(work, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _bare_pdf(html: str, stylesheet: str) -> bytes:
    """WeasyPrint as its documentation shows it: a fresh document, stylesheet and fonts each time."""
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEETS / stylesheet))]
    )


def measure_pdfs(report: TargetReport, log) -> None:
    agreement = agreement_current()
    year = timezone.localdate().year
    data = followup_report.followup_report_data(agreement=agreement, year=year)
    html = render_to_string("followup/pdf/followup_report.html", {"report": data, "generated_on": timezone.now()})
    _bare_pdf(html, "followup_report.css")  # load Pango and fonts once, for both
    followup_report.render_report_pdf(data)

    def app():
        followup_report.render_report_pdf(followup_report.followup_report_data(agreement=agreement, year=year))

    gather = _median_seconds(lambda: followup_report.followup_report_data(agreement=agreement, year=year))
    app_seconds = _median_seconds(app)
    bare_seconds = _median_seconds(lambda: _bare_pdf(html, "followup_report.css"))
    ratio = app_seconds / bare_seconds
    report.add(
        "PDF: uppföljningsrapporten (data + PDF) mot ren WeasyPrint",
        f"{app_seconds * 1000:.0f} ms mot {bare_seconds * 1000:.0f} ms = {ratio:.2f}× (data {gather * 1000:.0f} ms)",
        f"≤ {MAX_PDF_RATIO}×",
        ratio <= MAX_PDF_RATIO,
    )
    log(f"  uppföljningsrapporten: {ratio:.2f}×")

    leader = get_user_model().objects.get(username=seed.BENCH_USERS["group_leader"])
    group = (
        SupportGroup.objects.filter(leaders=leader, status=GroupStatus.CLOSED)
        .annotate(children=Count("placements", filter=Q(placements__removed_at__isnull=True)))
        .order_by("-children", "-starts_on")
        .first()
    )

    def sheet_context() -> dict:
        # What the view (groups.views.attendance_pdf) gathers, then renders once into the PDF.
        sheet = group_selectors.attendance_sheet_for(user=leader, group=group)
        return {"group": group, "meetings": sheet.meetings, "table": sheet.table, "printed": timezone.localtime()}

    html = render_to_string("groups/pdf/attendance_sheet.html", sheet_context())

    def app_sheet():
        render_pdf("groups/pdf/attendance_sheet.html", sheet_context(), stylesheets=("attendance_sheet.css",))

    app_sheet()
    app_seconds = _median_seconds(app_sheet, rounds=5)
    bare_seconds = _median_seconds(lambda: _bare_pdf(html, "attendance_sheet.css"), rounds=5)
    ratio = app_seconds / bare_seconds
    report.add(
        "PDF: närvarolistan (data + PDF) mot ren WeasyPrint",
        f"{app_seconds * 1000:.0f} ms mot {bare_seconds * 1000:.0f} ms = {ratio:.2f}×",
        f"≤ {MAX_PDF_RATIO}×",
        ratio <= MAX_PDF_RATIO,
    )
    log(f"  närvarolistan: {ratio:.2f}×")


def measure_group_purge(report: TargetReport, log) -> None:
    """A closed group's children, ended and not yet purged, purged in one transaction."""
    candidates = (
        Placement.objects.filter(
            group__status=GroupStatus.CLOSED,
            removed_at__isnull=True,
            referral__status__in=ENDED_STATUSES,
            referral__purged_at__isnull=True,
        )
        .values("group_id")
        .annotate(children=Count("pk"))
        .order_by("-children")
        .first()
    )
    if candidates is None:
        report.add(
            "Gallring av en avslutad grupp", "ingen grupp att gallra i datat", f"≤ {MAX_GROUP_PURGE_MS} ms", False
        )
        return
    ids = list(
        Placement.objects.filter(group_id=candidates["group_id"], removed_at__isnull=True).values_list(
            "referral_id", flat=True
        )
    )
    connection.queries_log.clear()
    started = time.perf_counter()
    records = referrals_purge(referral_ids=ids, by=None, rule=PurgeRule.MANUAL)
    elapsed_ms = (time.perf_counter() - started) * 1000
    report.add(
        f"Gallring av en avslutad grupp ({len(ids)} barn, en transaktion)",
        f"{elapsed_ms:.0f} ms, {len(records)} gallringsbevis",
        f"≤ {MAX_GROUP_PURGE_MS} ms",
        elapsed_ms <= MAX_GROUP_PURGE_MS and len(records) == len(ids),
    )
    log(f"  en grupp: {elapsed_ms:.0f} ms")


def measure_purge_backlog(report: TargetReport, log, children: int = BACKLOG_CHILDREN) -> None:
    today = timezone.localdate()
    started = time.perf_counter()
    seed.seed_purge_backlog(children=children, today=today)
    seed.analyze()
    log(f"  {children} förfallna barn skapade på {time.perf_counter() - started:.0f} s; gallrar …")
    due_before = Referral.objects.filter(purged_at__isnull=True, status__in=ENDED_STATUSES).count()
    started = time.perf_counter()
    purged = 0
    while handled := purge_due_batch(on=today):
        purged += handled
    elapsed = time.perf_counter() - started
    per_second = purged / elapsed if elapsed else 0.0
    left = Referral.objects.filter(purged_at__isnull=True, ended_at__isnull=False).count()
    measured = f"{per_second:.0f} barn/s ({elapsed:.1f} s; {due_before} avslutade före, {left} kvar, ej förfallna)"
    report.add(
        f"Gallringskö: {purged} förfallna barn (minst {children}), partier om 2 000 per transaktion",
        measured,
        f"≥ {MIN_BACKLOG_PER_SECOND:,} barn/s".replace(",", " "),
        per_second >= MIN_BACKLOG_PER_SECOND,
    )
    log(f"  gallringskö: {per_second:.0f} barn/s")


def measure_reminders(report: TargetReport, log) -> None:
    """The reminder sweep (first run and steady state) is measured by bench/reminders.py, written
    with the reminder work; it gets `report` and calls it for each figure."""
    hook = HERE / "reminders.py"
    if not hook.exists():
        report.add(
            "Påminnelsesvepet (första och följande körning)",
            "HOOK SAKNAS: bench/reminders.py med def measure(report) finns inte i den här grenen",
            "mäts av bench/reminders.py",
            None,
        )
        return
    spec = importlib.util.spec_from_file_location("bench.reminders", hook)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.measure(report)
    log("  påminnelsesvepet mätt av bench/reminders.py")


ACCESS_LOG_GROWTH_SQL = """
INSERT INTO consent_accesslogentry (occurred_at, user_id, username, child_pseudonym, action, legal_basis, what)
SELECT %(start)s::timestamptz + (n * %(step)s) * interval '1 second',
       u.id, u.username,
       'B-' || lpad(upper(to_hex(((n::bigint * 7919) %% 1048576)::int)), 6, '0'),
       (ARRAY['view','view','view','view','view','view','view','view','export','change'])[1 + n %% 10],
       'Samtycke från vårdnadshavare (SoL)', 'Anmälningslista'
FROM generate_series(1::bigint, %(rows)s::bigint) AS n
JOIN (SELECT id, username, row_number() OVER (ORDER BY id) - 1 AS k FROM auth_user) u
  ON u.k = n %% (SELECT count(*) FROM auth_user)
"""


def measure_access_log(report: TargetReport, log, rows: int) -> None:
    """Grow the log to `rows` entries (server-side, like years of use), then time every filter
    combination of the log page as the coordinator and the operations manager see it: the
    server's time for the whole page, median of five."""
    present = AccessLogEntry.objects.count()
    if rows > present:
        started = time.perf_counter()
        first = AccessLogEntry.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()
        span = (timezone.now() - first).total_seconds()
        with connection.cursor() as cursor:
            cursor.execute(
                ACCESS_LOG_GROWTH_SQL, {"start": first, "step": span / (rows - present), "rows": rows - present}
            )
            cursor.execute("VACUUM ANALYZE consent_accesslogentry")
        log(f"  åtkomstloggen utökad till {rows:,} rader på {time.perf_counter() - started:.0f} s".replace(",", " "))
    users = {role: get_user_model().objects.get(username=name) for role, name in seed.BENCH_USERS.items()}
    sample = AccessLogEntry.objects.order_by("-pk").values("username", "child_pseudonym").first()
    today = timezone.localdate()
    month_ago = (today - datetime.timedelta(days=30)).isoformat()
    combinations = {
        "inga filter": {},
        "händelse": {"action": "export"},
        "sällsynt händelse": {"action": "failed_login"},
        "barn": {"child": sample["child_pseudonym"]},
        "användare": {"username": sample["username"]},
        "från datum": {"date_from": month_ago},
        "till datum": {"date_to": "2022-06-30"},
        "period": {"date_from": "2021-03-01", "date_to": "2021-03-31"},
        "barn + period": {"child": sample["child_pseudonym"], "date_from": "2020-01-01", "date_to": today.isoformat()},
        "användare + händelse + period": {
            "username": sample["username"],
            "action": "view",
            "date_from": "2023-01-01",
            "date_to": "2023-12-31",
        },
        "alla fem": {
            "username": sample["username"],
            "child": sample["child_pseudonym"],
            "action": "view",
            "date_from": "2019-01-01",
            "date_to": today.isoformat(),
        },
    }
    worst = 0.0
    details = []
    for role in ("coordinator", "operations_manager"):
        client: Client = signed_in_client(users[role])
        for name, params in combinations.items():
            client.get("/samtycke/logg/", params, secure=True)
            times = []
            for _ in range(5):
                started = time.perf_counter()
                response = client.get("/samtycke/logg/", params, secure=True)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            median = statistics.median(times)
            worst = max(worst, median)
            details.append(f"{role}/{name}: {median:.0f} ms")
    total = AccessLogEntry.objects.count()
    report.add(
        f"Åtkomstloggen, {total:,} rader: varje filterkombination (hela sidan, servertid)".replace(",", " "),
        f"värst {worst:.0f} ms av {len(details)} kombinationer",
        f"≤ {MAX_ACCESS_LOG_MS} ms",
        worst <= MAX_ACCESS_LOG_MS,
        combinations=details,
    )
    log("  " + "; ".join(details))


def measure_all(*, log, access_log_rows: int = 10_000_000) -> dict:
    """Every job's figures; a step that fails is reported as failed, and the others still run."""
    report = TargetReport()
    steps = [
        ("PDF", measure_pdfs),
        ("Gallring av en grupp", measure_group_purge),
        ("Åtkomstloggen", lambda report, log: measure_access_log(report, log, access_log_rows)),
        ("Påminnelsesvepet", measure_reminders),
        ("Gallringskö", measure_purge_backlog),
    ]
    for name, step in steps:
        try:
            step(report, log)
        except Exception as error:  # the bench reports a broken step and goes on with the others
            logger.exception("Bench step %s failed", name)
            report.add(name, f"FEL: {type(error).__name__}: {error}"[:200], "", False)
    return {"targets": [target.as_dict() for target in report.targets], "figures": report.figures}


__all__ = ["Target", "measure_all"]
