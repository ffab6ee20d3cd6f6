"""A referral's status history moves from its own table (ReferralTransition) to the project's one
change history, django-auditlog's LogEntry (partnership/history.py, issue 11). Every row is copied
with its actor, time and reason; then the old table goes."""

from django.db import migrations

BATCH = 5_000


def copy_transitions_to_the_history(apps, schema_editor):
    ReferralTransition = apps.get_model("referrals", "ReferralTransition")
    if not ReferralTransition.objects.exists():
        return
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    referral_type, _ = ContentType.objects.get_or_create(app_label="referrals", model="referral")
    rows = (
        ReferralTransition.objects.order_by("pk")
        .values_list("referral_id", "referral__pseudonym", "from_status", "to_status", "by_id", "at", "reason")
        .iterator(chunk_size=BATCH)
    )
    batch = []
    for referral_id, pseudonym, from_status, to_status, by_id, at, reason in rows:
        batch.append(
            LogEntry(
                content_type=referral_type,
                object_pk=str(referral_id),
                object_id=referral_id,
                object_repr=pseudonym,
                # auditlog's actions: 0 created, 1 changed. The first transition is the submission.
                action=0 if not from_status else 1,
                changes={"status": [from_status or None, to_status]},
                actor_id=by_id,
                timestamp=at,
                additional_data={"reason": reason} if reason else None,
            )
        )
        if len(batch) == BATCH:
            LogEntry.objects.bulk_create(batch)
            batch = []
    LogEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0007_list_order_waiting_list_and_purge_indexes"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_transitions_to_the_history, elidable=False),
        migrations.DeleteModel(name="ReferralTransition"),
    ]
