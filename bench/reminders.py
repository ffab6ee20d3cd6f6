"""Benchmark of the hourly reminder sweep (partnership/tasks.py reminders_sweep) at national scale.

The targets (scale issue): over 100 000 referrals the sweep's steady state takes at most 5 s, and
a first run that finds a backlog of 25 000 reminders at most 15 s. "The sweep" is what beat runs
every hour: record every kind's reminders (partnership/reminders.py and each app's reminders.py)
and request the mail jobs (one per batch of MAIL_BATCH_SIZE unsent reminders).

    measure(report)   seeds the data, times the sweeps, rolls everything back
    seed(...)         the data alone (bulk_create), for a database of your own

`report` is called once per figure: `report(name, value, unit=..., limit=..., size=...)` with
`value` a float (seconds or a count) and `limit` the target (None where there is none). The
module needs a configured Django (DJANGO_SETTINGS_MODULE=config.settings and django.setup())
and, to mean anything, PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gruppstod_bench .venv/bin/python manage.py migrate
    DATABASE_URL=... SECRET_KEY=x FIELD_ENCRYPTION_KEY=... .venv/bin/python -c \
        "import django; django.setup(); from bench.reminders import measure; measure(print)"

Everything is written inside one transaction that is rolled back at the end, so the database is
left as it was, and the jobs the sweep requests never reach a broker (their send waits for the
commit). What the broker costs is measured apart: the send of one batch job is one message.
"""

import datetime
import itertools
import time
import uuid
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from groups.models import GroupFormat, GroupStatus, Placement, SupportGroup
from partnership.jobs import job_run
from partnership.models import (
    Agreement,
    BackgroundJob,
    District,
    Membership,
    Organisation,
    Reminder,
    Role,
    TargetGroup,
)
from partnership.reference_data import seed_reference_data
from partnership.reminders import REMINDER_MAILS_JOB
from partnership.tasks import reminders_sweep
from referrals.models import Custody, PlacementBasis, PurgeRecord, PurgeRule, Referral
from referrals.models import ReferralStatus as S

from .seed import pseudonym_for

REFERRALS = 100_000
STEADY_LIMIT_S = 5.0
FIRST_RUN_LIMIT_S = 15.0


@dataclass(frozen=True)
class Seeded:
    referrals: int
    # The reminders the first sweep should find, per kind (recipients included).
    expected: dict[str, int]


class _Rollback(Exception):
    pass


# bench/seed.py numbers its referrals' pseudonyms from 0 and its purge backlog's from 10 000 000
# (pseudonym_for is one-to-one over every pseudonym): this module draws from a range of its own.
PSEUDONYM_NUMBERS_FROM = 20_000_000


def _pseudonyms(count: int) -> list[str]:
    """`count` pseudonyms no referral holds yet. Counting up in the app's alphabet, as this module
    once did, collided with the seeded referrals' (spread over the alphabet by pseudonym_for);
    a range of pseudonym_for's own cannot, and one that a referral made by the app (drawn at
    random) happens to hold is left out."""
    candidates = [pseudonym_for(PSEUDONYM_NUMBERS_FROM + n) for n in range(count + count // 100 + 100)]
    taken: set[str] = set()
    for start in range(0, len(candidates), 5_000):
        chunk = candidates[start : start + 5_000]
        taken.update(Referral.objects.filter(pseudonym__in=chunk).values_list("pseudonym", flat=True))
    free = [pseudonym for pseudonym in candidates if pseudonym not in taken]
    if len(free) < count:
        raise RuntimeError(f"only {len(free)} free pseudonyms of {count} in the bench's range")
    return free[:count]


def _users(prefix: str, count: int) -> list:
    User = get_user_model()
    prefix = f"{prefix}-{uuid.uuid4().hex[:8]}"  # a database that holds an earlier run's users
    # "!" is Django's unusable password: nobody signs in as a bench user.
    return User.objects.bulk_create(
        User(username=f"bench-{prefix}-{n}", email=f"bench-{prefix}-{n}@example.se", password="!")  # noqa: S106
        for n in range(count)
    )


def seed(
    *,
    referrals: int = REFERRALS,
    awaiting_consent: int = 5_000,
    purge_soon: int = 2_000,
    purged_recently: int = 800,
    groups_starting: int = 100,
    children_per_group: int = 6,
    social_workers_per_district: int = 3,
) -> Seeded:
    """Referrals, users and groups as a big city after some years, with bulk inserts only.

    Of `referrals`: `awaiting_consent` SoL referrals submitted 20 days ago without consent (each
    reminds its district's social workers), `purge_soon` ended 25 days ago (purge due within the
    week: each reminds the operations managers), `purged_recently` purged last week, and
    `groups_starting` × `children_per_group` placed in groups that start in 5 days whose district
    has not acknowledged them (the operations managers and district, and the leaders about the
    missing visit). The rest are completed and purged years ago, or waiting.
    """
    if not District.objects.exists():
        seed_reference_data(django_apps)
    now = timezone.now()
    today = timezone.localdate()
    city = Organisation.objects.get(short_name="Socialförvaltningen")
    bris = Organisation.objects.get(short_name="Bris")
    agreement = Agreement.objects.create(
        name="Bench",
        public_party=city,
        provider=bris,
        target_group=TargetGroup.objects.first(),
        starts_on=today - datetime.timedelta(days=700),
        ends_on=today + datetime.timedelta(days=60),  # ending within 90 days: one more kind fires
    )
    districts = list(District.objects.all())
    managers = _users("manager", 2)
    coordinators = _users("coordinator", 2)
    leaders = _users("leader", 40)
    social_workers = _users("social", social_workers_per_district * len(districts))
    memberships = [Membership(user=user, organisation=bris, role=Role.OPERATIONS_MANAGER) for user in managers]
    memberships += [Membership(user=user, organisation=city, role=Role.COORDINATOR) for user in coordinators]
    memberships += [Membership(user=user, organisation=bris, role=Role.GROUP_LEADER) for user in leaders]
    memberships += [
        Membership(user=user, organisation=city, role=Role.SOCIAL_WORKER, district=districts[n % len(districts)])
        for n, user in enumerate(social_workers)
    ]
    Membership.objects.bulk_create(memberships)

    placed = groups_starting * children_per_group
    plan = (
        [S.AWAITING_CONSENT] * awaiting_consent
        + [S.COMPLETED] * purge_soon  # ended, not purged
        + ["purged"] * purged_recently
        + [S.PLACED] * placed
    )
    plan += [S.WAITING_LIST if n % 10 == 0 else "purged_long_ago" for n in range(referrals - len(plan))]
    pseudonyms = _pseudonyms(len(plan))
    rows = []
    for n, state in enumerate(plan):
        status = S.COMPLETED if state in ("purged", "purged_long_ago") else state
        basis = PlacementBasis.LVU if n % 3 == 0 and state != S.AWAITING_CONSENT else PlacementBasis.SOL
        rows.append(
            Referral(
                pseudonym=pseudonyms[n],
                agreement=agreement,
                district=districts[n % len(districts)],
                status=status,
                status_changed_at=now,
                placement_basis=basis,
                lvu_legal_basis="3 § LVU" if basis == PlacementBasis.LVU else "",
                custody=Custody.JOINT,
                planned_start=today,
                age_at_planned_start=7 + n % 12,
                case_officer_name="Handläggare",
                submitted_by=social_workers[n % len(social_workers)],
                district_acknowledged_at=None if state == S.PLACED else now,
                ended_at={
                    S.COMPLETED: now - datetime.timedelta(days=settings.PURGE_GRACE_DAYS - 5),
                    "purged": now - datetime.timedelta(days=settings.PURGE_GRACE_DAYS + 7),
                    "purged_long_ago": now - datetime.timedelta(days=800 + n % 700),
                }.get(state),
                purged_at={
                    "purged": now - datetime.timedelta(days=7),
                    "purged_long_ago": now - datetime.timedelta(days=700),
                }.get(state),
            )
        )
    created = Referral.objects.bulk_create(rows, batch_size=5_000)
    # created_at is set on insert; the consent reminder looks at when the referral came in.
    Referral.objects.filter(agreement=agreement, status=S.AWAITING_CONSENT).update(
        created_at=now - datetime.timedelta(days=20)
    )
    by_state: dict[str, list[Referral]] = {}
    for referral, state in zip(created, plan, strict=True):
        by_state.setdefault(state, []).append(referral)
    PurgeRecord.objects.bulk_create(
        PurgeRecord(
            referral=referral,
            pseudonym=referral.pseudonym,
            rule=PurgeRule.GRACE_PERIOD,
            grace_days=settings.PURGE_GRACE_DAYS,
            purged_at=referral.purged_at,
        )
        for referral in by_state.get("purged", [])
    )

    groups = SupportGroup.objects.bulk_create(
        SupportGroup(
            agreement=agreement,
            name=f"Bench {n}",
            format=GroupFormat.WEEKLY,
            status=GroupStatus.OPEN,
            min_age=7,
            max_age=18,
            starts_on=today + datetime.timedelta(days=5),
            ends_on=today + datetime.timedelta(days=60),
        )
        for n in range(groups_starting)
    )
    Leaders = SupportGroup.leaders.through
    Leaders.objects.bulk_create(
        Leaders(supportgroup_id=group.pk, user_id=leaders[(2 * n + k) % len(leaders)].pk)
        for n, group in enumerate(groups)
        for k in range(2)
    )
    children = iter(by_state.get(S.PLACED, []))
    Placement.objects.bulk_create(
        Placement(group=group, referral=referral, placed_by=managers[0])
        for group in groups
        for referral in itertools.islice(children, children_per_group)
    )

    # As autovacuum would have done by the next hour: the planner needs to know the tables' sizes.
    with connection.cursor() as cursor:
        for model in (Referral, PurgeRecord, SupportGroup, Placement, Membership, Reminder):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    social_workers_per = social_workers_per_district
    expected = {
        "consent_missing": awaiting_consent * social_workers_per,
        "purge_due": purge_soon * len(managers),
        "purge_done": purged_recently * len(managers),
        "district_not_informed": placed * (len(managers) + social_workers_per),
        "pre_group_visit_missing": placed * 2,
        "agreement_ending": len(managers) + len(coordinators),
    }
    return Seeded(referrals=referrals, expected=expected)


def _timed(function):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = function()
    return time.perf_counter() - started, len(queries), result


def measure(report) -> None:
    """Seed, run the first sweep (the backlog) and a steady-state sweep, and report the figures."""
    try:
        with transaction.atomic():
            started = time.perf_counter()
            seeded = seed()
            report("reminders.seed", time.perf_counter() - started, unit="s", limit=None, size="100 000 referrals")
            backlog = sum(seeded.expected.values())
            size = f"{seeded.referrals} referrals, {backlog} reminders due"

            seconds, queries, created = _timed(reminders_sweep)
            recorded = sum(created.values())
            report("reminders.sweep.first_run", seconds, unit="s", limit=FIRST_RUN_LIMIT_S, size=size)
            report("reminders.sweep.first_run.queries", queries, unit="queries", limit=None, size=size)
            report("reminders.sweep.first_run.recorded", recorded, unit="reminders", limit=None, size=size)
            from_jobs = list(
                BackgroundJob.objects.filter(kind=REMINDER_MAILS_JOB).order_by("pk").values_list("pk", flat=True)
            )
            report("reminders.sweep.first_run.mail_jobs", len(from_jobs), unit="jobs", limit=None, size=size)
            missing = {kind: n for kind, n in seeded.expected.items() if created.get(kind, 0) < n}
            if missing:
                raise AssertionError(f"the sweep recorded fewer reminders than seeded: {missing} of {created}")

            # One batch job, mailed through an in-memory backend: a worker's share of the backlog.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                seconds, queries, job = _timed(lambda: job_run(from_jobs[0]))
            rows = len(job.arguments["ids"])
            report("reminders.mail_job", seconds, unit="s", limit=None, size=f"{rows} mails in one job")

            # Steady state: the backlog mailed, nothing new due since the last hour.
            Reminder.objects.filter(sent_at__isnull=True).update(sent_at=timezone.now())
            seconds, queries, created = _timed(reminders_sweep)
            size = f"{seeded.referrals} referrals, {recorded} open reminders, none new"
            report("reminders.sweep.steady", seconds, unit="s", limit=STEADY_LIMIT_S, size=size)
            report("reminders.sweep.steady.queries", queries, unit="queries", limit=None, size=size)
            if sum(created.values()):
                raise AssertionError(f"the steady-state sweep recorded reminders again: {created}")
            raise _Rollback
    except _Rollback:
        pass
