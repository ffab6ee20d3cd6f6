from config.celery import app


def test_every_periodic_task_names_a_registered_task():
    app.loader.import_default_modules()  # autodiscovery, as the worker and beat do at start
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "referrals.tasks.purge_due_sweep",
        "partnership.tasks.reminders_sweep",
        "consent.tasks.concern_reports_notify_pending",
        "groups.tasks.family_reminders_sweep",
    } <= scheduled
    assert scheduled - set(app.tasks) == set()
