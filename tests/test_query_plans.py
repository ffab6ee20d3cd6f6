"""Every list and home page, on seeded data, without a sequential scan of a big table.

The bench's seed (bench/seed.py) writes a tenth of the national-scale data set with COPY and
ANALYZE gives the planner real statistics; then each page of bench/pages.py is opened as its role
and every SELECT it ran is EXPLAINed. A Seq Scan on a table of more than BIG_TABLE_ROWS rows means
a list that reads its whole table (a missing index, a COUNT over everything, a cast in a WHERE):
it would cost more with every year of data. `make bench` checks the same at national scale.
"""

import pytest
from django.contrib.auth import get_user_model

from bench import seed as bench_seed
from bench.pages import PAGES
from bench.plans import big_tables, page_plan, signed_in_client
from tests.conftest import require_postgresql

pytestmark = pytest.mark.postgresql

# A tenth of national scale: referrals, their transitions, meetings, placements, attendance,
# evaluations and the access log pass this; the national-scale bench has ten times as many.
SCALE = bench_seed.Scale.fraction(0.1)
BIG_TABLE_ROWS = 5_000
# A page's queries: session, user, membership, two-factor device, the page's own, the access log's
# one INSERT, the session's UPDATE. None grows with the data; this bounds them all.
MAX_QUERIES_PER_PAGE = 22
# The follow-up report sums a whole year: at a tenth of the national data a year's children are an
# eighth of all referrals, and reading the referral table is then the planner's right choice. At
# national scale it reads them by index (`make bench` checks the plans there too).
# The city-wide dashboard (citywide/demand.py) sums the referrals of six terms (its chart) and the
# placements of a term, grouped in the database: at a tenth of the data the planner reads those
# tables whole as for the report. Its national-scale plans are for `make bench` to show.
AGGREGATES_A_YEAR = {
    ("co-report", "referrals_referral"),
    ("co-demand", "referrals_referral"),
    ("co-demand", "groups_placement"),
}


@pytest.mark.django_db
def test_no_list_or_home_page_reads_a_big_table_from_end_to_end():
    require_postgresql()
    bench_seed.seed(scale=SCALE)
    bench_seed.analyze(vacuum=False)  # VACUUM cannot run in the test's transaction
    tables = big_tables(BIG_TABLE_ROWS)
    assert {"referrals_referral", "consent_accesslogentry", "groups_attendance"} <= set(tables)
    users = {role: get_user_model().objects.get(username=name) for role, name in bench_seed.BENCH_USERS.items()}
    clients = {role: signed_in_client(user) for role, user in users.items()}

    problems = []
    for page in PAGES:
        plan = page_plan(page, clients[page.role], tables)
        if plan.status != 200:
            problems.append(f"{page.key}: HTTP {plan.status}")
        if plan.queries > MAX_QUERIES_PER_PAGE:
            problems.append(f"{page.key}: {plan.queries} queries")
        problems += [
            f"{page.key}: Seq Scan on {scan.table} ({scan.rows} rows): {scan.sql[:300]}"
            for scan in plan.seq_scans
            if (page.key, scan.table) not in AGGREGATES_A_YEAR
        ]
    assert not problems, "\n".join(problems)
