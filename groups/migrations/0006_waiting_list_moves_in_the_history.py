"""The waiting-list moves move from their own table (WaitingListAdjustment) to the referral's
history in django-auditlog's LogEntry (partnership/history.py, issue 11): a move is a change of
`Referral.waiting_priority` by one step, with who, when and why. Then the old table goes."""

from django.db import migrations

BATCH = 5_000


def copy_moves_to_the_history(apps, schema_editor):
    WaitingListAdjustment = apps.get_model("groups", "WaitingListAdjustment")
    if not WaitingListAdjustment.objects.exists():
        return
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    referral_type, _ = ContentType.objects.get_or_create(app_label="referrals", model="referral")
    rows = (
        WaitingListAdjustment.objects.order_by("referral_id", "at", "pk")
        .values_list("referral_id", "referral__pseudonym", "steps", "by_id", "at", "reason")
        .iterator(chunk_size=BATCH)
    )
    batch = []
    # The priority before each move is the sum of the moves before it (migration 0005 set
    # Referral.waiting_priority to the sum of them all).
    referral, priority = None, 0
    for referral_id, pseudonym, steps, by_id, at, reason in rows:
        if referral_id != referral:
            referral, priority = referral_id, 0
        batch.append(
            LogEntry(
                content_type=referral_type,
                object_pk=str(referral_id),
                object_id=referral_id,
                object_repr=pseudonym,
                action=1,  # auditlog's "changed"
                changes={"waiting_priority": [priority, priority + steps]},
                actor_id=by_id,
                timestamp=at,
                additional_data={"reason": reason} if reason else None,
            )
        )
        priority += steps
        if len(batch) == BATCH:
            LogEntry.objects.bulk_create(batch)
            batch = []
    LogEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0005_waiting_priority_from_the_moves"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_moves_to_the_history, elidable=False),
        migrations.DeleteModel(name="WaitingListAdjustment"),
    ]
