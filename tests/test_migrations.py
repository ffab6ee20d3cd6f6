"""Wave 2 moved models between apps without moving data (issue 11): follow-up from partnership to
its own app, the access log from consent down to partnership, and the reports' state to the
background-job pipeline. A database holding data in the old layout is migrated to the new one,
and every row is still there, read through today's models."""

import datetime

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState
from django.utils import timezone
from django_test_migrations import sql

from consent.models import LogReview
from finance.models import AnnualReport
from followup.models import AgendaItem, CooperationDecision, CooperationMeeting, FollowUpReport, InformationInvitation
from partnership.models import AccessLogEntry, BackgroundJob, Reminder
from referrals.models import Referral
from tests.history import changes_of, status_changes

OLD_LAYOUT = [
    ("partnership", "0006_reminder_period"),
    ("referrals", "0003_interest_registration_purge"),
    ("consent", "0003_access_log_append_only"),
    ("groups", "0003_family_reminders"),
    ("finance", "0004_cost_changed_action"),
    ("followup", None),
]
NEW_LAYOUT = [
    ("partnership", "0007_followup_app_access_log_background_jobs"),
    ("consent", "0004_access_log_moved_to_partnership"),
    ("finance", "0006_annual_report_state_on_the_job"),
    ("followup", "0003_followup_report_state_on_the_job"),
    # Read through today's models: later columns on the moved tables come along (issue 15's contact
    # kinds, issue 16's reference groups on the cooperation tables, the members' end and public id).
    ("followup", "0007_member_public_id_unique"),
]


def _old_layout_data(apps) -> dict:
    """Rows in the old layout, written with the models as they were then."""
    User = apps.get_model("auth", "User")
    Organisation = apps.get_model("partnership", "Organisation")
    Agreement = apps.get_model("partnership", "Agreement")
    TargetGroup = apps.get_model("partnership", "TargetGroup")
    ContentTypeThen = apps.get_model("contenttypes", "ContentType")
    coordinator = User.objects.create(username="samordnare")
    agreement = Agreement.objects.create(
        name="IOP",
        public_party=Organisation.objects.get(short_name="Socialförvaltningen"),
        provider=Organisation.objects.get(short_name="Bris"),
        target_group=TargetGroup.objects.first(),
        starts_on=datetime.date(2017, 1, 1),
        ends_on=datetime.date(2018, 12, 31),
    )
    member = apps.get_model("partnership", "CooperationGroupMember").objects.create(
        agreement=agreement, organisation=agreement.public_party, name="Iris", title="IOP-samordnare"
    )
    meeting = apps.get_model("partnership", "CooperationMeeting").objects.create(
        agreement=agreement, meeting_date=datetime.date(2017, 3, 1), minutes="Protokoll", created_by=coordinator
    )
    apps.get_model("partnership", "CooperationDecision").objects.create(
        meeting=meeting, text="Boka lokal", owner=member, due_on=datetime.date(2017, 4, 1)
    )
    report = apps.get_model("partnership", "FollowUpReport").objects.create(
        agreement=agreement, year=2017, status="done", progress=100, pdf="followup/reports/r.pdf",
        requested_by=coordinator, finished_at=timezone.now(),
    )  # fmt: skip
    apps.get_model("partnership", "AgendaItem").objects.create(
        meeting=meeting, position=1, title="Uppföljning", is_standing=True, report=report
    )
    contact = apps.get_model("partnership", "DistrictContact").objects.create(
        district=apps.get_model("partnership", "District").objects.get(name="Farsta"),
        name="Kim",
        role="Enhetschef",
        email="kim@example.se",
    )
    information = apps.get_model("partnership", "InformationMeeting").objects.create(
        agreement=agreement, starts_at=timezone.now(), location="Bris", created_by=coordinator
    )
    apps.get_model("partnership", "InformationInvitation").objects.create(meeting=information, contact=contact)
    year = apps.get_model("finance", "BudgetYear").objects.create(
        agreement=agreement, year=2017, starts_on=datetime.date(2017, 1, 1), ends_on=datetime.date(2017, 12, 31)
    )
    pending = apps.get_model("finance", "AnnualReport").objects.create(
        budget_year=year, status="pending", requested_by=coordinator
    )
    entries = [
        apps.get_model("consent", "AccessLogEntry").objects.create(
            user=coordinator, username="samordnare", child_pseudonym=f"BR-{n}", action="view"
        )
        for n in range(3)
    ]
    review = apps.get_model("consent", "LogReview").objects.create(
        reviewer=coordinator, period_start=datetime.date(2017, 1, 1), period_end=datetime.date(2017, 12, 31)
    )
    review.sample.set(entries)
    meeting_type, _ = ContentTypeThen.objects.get_or_create(app_label="partnership", model="cooperationmeeting")
    ContentTypeThen.objects.get_or_create(app_label="consent", model="accesslogentry")
    apps.get_model("partnership", "Reminder").objects.create(
        recipient=coordinator,
        kind="cooperation_term_without_meeting",
        subject_type=meeting_type,
        subject_id=meeting.pk,
        summary="Termin utan möte",
        due_on=datetime.date(2017, 6, 30),
    )
    return {"meeting": meeting.pk, "report": report.pk, "pending": pending.pk, "review": review.pk}


def test_a_database_in_the_old_layout_keeps_every_row_in_the_new_one(migrator_factory):
    migrator_factory()  # puts the test database back to the latest layout afterwards
    # An empty database migrated exactly to the old layout: the library's own "initial migration"
    # would also apply whatever the full plan happens to order earlier, new migrations included.
    sql.drop_models_tables(DEFAULT_DB_ALIAS, no_style())
    sql.flush_django_migrations_table(DEFAULT_DB_ALIAS, no_style())
    executor = MigrationExecutor(connection)
    old = executor.migrate(OLD_LAYOUT)
    # The migrations' state may hold models rendered before a later one in the plan changed what they
    # point to (Django delays reloading related models); render the old layout afresh.
    old = ProjectState(real_apps=old.real_apps, models=old.models)
    ids = _old_layout_data(old.apps)

    executor.loader.build_graph()
    executor.migrate(NEW_LAYOUT)
    ContentType.objects.clear_cache()  # made anew: cached ids from before the drop are stale

    meeting = CooperationMeeting.objects.get(pk=ids["meeting"])
    assert meeting.minutes == "Protokoll"
    owner = CooperationDecision.objects.get(meeting=meeting).owner
    assert owner.name == "Iris"
    # A member from before memberships could end: still a member, with a public id of its own.
    assert owner.ended_on is None and owner.public_id is not None
    report = FollowUpReport.objects.select_related("job").get(pk=ids["report"])
    assert report.job.state == BackgroundJob.State.DONE and report.pdf.name == "followup/reports/r.pdf"
    assert AgendaItem.objects.get(meeting=meeting).report == report
    assert InformationInvitation.objects.get().contact.email == "kim@example.se"
    # A report that was waiting when the layout changed waits for the sweep to send it.
    pending = AnnualReport.objects.select_related("job").get(pk=ids["pending"])
    assert pending.job.state == BackgroundJob.State.QUEUED and pending.job.sent_at is None
    assert pending.job.key == f"finance.annual_report:{pending.budget_year_id}"
    # The access log, its spot check and a reminder about a moved model still hold together.
    assert AccessLogEntry.objects.count() == 3
    assert LogReview.objects.get(pk=ids["review"]).sample.count() == 3
    assert Reminder.objects.get().subject_type.model_class() is CooperationMeeting
    assert ContentType.objects.get(model="accesslogentry").app_label == "partnership"


HISTORY_OLD_LAYOUT = [
    ("referrals", "0007_list_order_waiting_list_and_purge_indexes"),
    ("groups", "0005_waiting_priority_from_the_moves"),
]
HISTORY_NEW_LAYOUT = [
    ("referrals", "0008_referral_history_in_auditlog"),
    ("groups", "0006_waiting_list_moves_in_the_history"),
]


def test_the_hand_made_history_tables_move_into_the_change_history(migrator_factory):
    """ReferralTransition and WaitingListAdjustment become auditlog entries: every row, with its
    actor, time and reason; the old tables are gone."""
    migrator_factory()
    ContentType.objects.get_for_model(Referral)  # cached as another test in this process would have it
    sql.drop_models_tables(DEFAULT_DB_ALIAS, no_style())
    sql.flush_django_migrations_table(DEFAULT_DB_ALIAS, no_style())
    executor = MigrationExecutor(connection)
    old = executor.migrate(HISTORY_OLD_LAYOUT).apps
    User = old.get_model("auth", "User")
    worker, manager = User.objects.create(username="socialsekreterare"), User.objects.create(username="vera")
    agreement = old.get_model("partnership", "Agreement").objects.create(
        name="IOP",
        public_party=old.get_model("partnership", "Organisation").objects.get(short_name="Socialförvaltningen"),
        provider=old.get_model("partnership", "Organisation").objects.get(short_name="Bris"),
        target_group=old.get_model("partnership", "TargetGroup").objects.first(),
        starts_on=datetime.date(2017, 1, 1),
        ends_on=datetime.date(2018, 12, 31),
    )
    submitted = datetime.datetime(2017, 2, 1, 9, tzinfo=datetime.UTC)
    referral = old.get_model("referrals", "Referral").objects.create(
        pseudonym="BR-OLD1",
        agreement=agreement,
        district=old.get_model("partnership", "District").objects.get(name="Farsta"),
        status="waiting_list",
        status_changed_at=submitted,
        placement_basis="lvu",
        lvu_legal_basis="2 § LVU",
        custody="joint",
        planned_start=datetime.date(2017, 3, 1),
        age_at_planned_start=10,
        case_officer_name="Handläggare",
        submitted_by=worker,
        waiting_priority=0,
    )
    Transition = old.get_model("referrals", "ReferralTransition")
    for from_status, to_status, by, reason in [
        ("", "submitted", worker, ""),
        ("submitted", "ready", worker, ""),
        ("ready", "waiting_list", manager, "Väntar på höstens grupp"),
    ]:
        Transition.objects.create(referral=referral, from_status=from_status, to_status=to_status, by=by, reason=reason)
    Move = old.get_model("groups", "WaitingListAdjustment")
    Move.objects.create(referral=referral, steps=1, reason="Akut behov", by=manager)
    Move.objects.create(referral=referral, steps=1, reason="Syskon i gruppen", by=manager)
    Move.objects.create(referral=referral, steps=-1, reason="Kan vänta", by=manager)
    times = list(Transition.objects.order_by("pk").values_list("at", flat=True))

    executor.loader.build_graph()
    executor.migrate(HISTORY_NEW_LAYOUT)
    # The tables were made anew: a content type this process cached before (another test, the
    # line above the drop) has another id now.
    ContentType.objects.clear_cache()

    migrated = Referral.objects.get(pseudonym="BR-OLD1")
    statuses = [(c.old, c.new, c.by.username, c.reason, c.at) for c in status_changes(migrated)]
    assert statuses == [
        (None, "submitted", "socialsekreterare", "", times[0]),
        ("submitted", "ready", "socialsekreterare", "", times[1]),
        ("ready", "waiting_list", "vera", "Väntar på höstens grupp", times[2]),
    ]
    moves = [(c.old, c.new, c.by.username, c.reason) for c in changes_of(migrated, "waiting_priority")]
    assert moves == [(0, 1, "vera", "Akut behov"), (1, 2, "vera", "Syskon i gruppen"), (2, 1, "vera", "Kan vänta")]
    assert LogEntry.objects.filter(object_repr="BR-OLD1").count() == 6
    tables = connection.introspection.table_names()
    assert "referrals_referraltransition" not in tables and "groups_waitinglistadjustment" not in tables
