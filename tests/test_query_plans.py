"""Every list and home page, on seeded data, without a sequential scan of a big table.

The bench's seed (bench/seed.py) writes a tenth of the national-scale data set with COPY and
ANALYZE gives the planner real statistics; then each page of bench/pages.py is opened as its role
and every SELECT it ran is EXPLAINed. A Seq Scan on a table of more than BIG_TABLE_ROWS rows means
a list that reads its whole table (a missing index, a COUNT over everything, a cast in a WHERE):
it would cost more with every year of data. `make bench` checks the same at national scale.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from bench import seed as bench_seed
from bench.pages import PAGES
from bench.plans import anonymous_client, big_tables, page_plan, signed_in_client
from tests.conftest import require_postgresql

pytestmark = pytest.mark.postgresql

# A tenth of national scale: referrals, their transitions, meetings, placements, attendance,
# evaluations and the access log pass this; the national-scale bench has ten times as many.
SCALE = bench_seed.Scale.fraction(0.1)
BIG_TABLE_ROWS = 5_000
# A page's queries: session, user, membership, two-factor device, the page's own, the access log's
# one INSERT, the session's UPDATE. None grows with the data; this bounds them all.
MAX_QUERIES_PER_PAGE = 22

# Two tables a tenth of the data leaves under BIG_TABLE_ROWS, while at national scale they pass
# 10 000 rows and the pages that read them (Utvärdering, Stödgrupper i staden, Resor och logi,
# Efterfrågan och platser) must use their indexes: older years of groups and travel are added.
OLDER_YEARS_SQL = [
    # Each top-level group again one to four years earlier, closed, led by a group leader in turn.
    """
    INSERT INTO groups_supportgroup (created_at, updated_at, public_id, name, format, status, min_age, max_age,
        starts_on, ends_on, closed_at, agreement_id, premises_id, audience, district_id, how_to_join, is_published,
        public_description, target_group_id, method_id)
    SELECT created_at, updated_at, gen_random_uuid(), name, format, 'closed', min_age, max_age,
        starts_on - 365 * years, ends_on - 365 * years, closed_at, agreement_id, premises_id, audience, district_id,
        how_to_join, false, public_description, target_group_id, method_id
    FROM groups_supportgroup, generate_series(1, 4) AS years
    WHERE parent_id IS NULL AND starts_on IS NOT NULL
    """,
    """
    INSERT INTO groups_supportgroup_leaders (supportgroup_id, user_id)
    SELECT g.id, (ARRAY(SELECT user_id FROM partnership_membership WHERE role = 'group_leader' ORDER BY user_id))
        [1 + g.id % (SELECT count(*) FROM partnership_membership WHERE role = 'group_leader')]
    FROM groups_supportgroup g
    WHERE NOT EXISTS (SELECT 1 FROM groups_supportgroup_leaders l WHERE l.supportgroup_id = g.id)
    """,
    # Each travel cost again one to three years earlier.
    """
    INSERT INTO finance_travelcost (created_at, updated_at, public_id, agreement_id, district_id, referral_id,
        child_pseudonym, kind, incurred_on, amount_ore, description, recorded_by_id)
    SELECT created_at, updated_at, gen_random_uuid(), agreement_id, district_id, referral_id, child_pseudonym, kind,
        incurred_on - 365 * years, amount_ore, description, recorded_by_id
    FROM finance_travelcost, generate_series(1, 3) AS years
    """,
]


# Committed, not rolled back: VACUUM (the visibility maps that let PostgreSQL answer from an index
# alone, as autovacuum leaves them) cannot run in a transaction. The tables are emptied after.
@pytest.mark.django_db(transaction=True)
def test_no_list_or_home_page_reads_a_big_table_from_end_to_end():
    require_postgresql()
    with transaction.atomic():
        bench_seed.seed(scale=SCALE)
        with connection.cursor() as cursor:
            for sql in OLDER_YEARS_SQL:
                cursor.execute(sql)
    bench_seed.analyze()
    tables = big_tables(BIG_TABLE_ROWS)
    assert {"referrals_referral", "consent_accesslogentry", "groups_attendance"} <= set(tables)
    assert {"groups_supportgroup", "finance_travelcost"} <= set(tables)
    users = {role: get_user_model().objects.get(username=name) for role, name in bench_seed.BENCH_USERS.items()}
    clients = {role: signed_in_client(user) for role, user in users.items()}

    problems = []
    for page in PAGES:
        plan = page_plan(page, anonymous_client() if page.anonymous else clients[page.role], tables)
        if plan.status != 200:
            problems.append(f"{page.key}: HTTP {plan.status}")
        if plan.queries > (page.max_queries or MAX_QUERIES_PER_PAGE):
            problems.append(f"{page.key}: {plan.queries} queries")
        problems += [
            f"{page.key}: Seq Scan on {scan.table} ({scan.rows} rows): {scan.sql[:300]}" for scan in plan.seq_scans
        ]
    assert not problems, "\n".join(problems)


def test_postgresql_never_compiles_our_queries_just_in_time(db):
    """JIT compiling cost about a second of the city dashboard's aggregate at national scale, more
    than running it: every connection the app opens has it off (config/settings.py)."""
    require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
