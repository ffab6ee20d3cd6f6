from django.db import migrations
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce


def sum_the_moves(apps, schema_editor):
    """Referral.waiting_priority starts as the sum of the moves recorded so far."""
    Referral = apps.get_model("referrals", "Referral")
    WaitingListAdjustment = apps.get_model("groups", "WaitingListAdjustment")
    moves = (
        WaitingListAdjustment.objects.filter(referral=OuterRef("pk"))
        .order_by()
        .values("referral")
        .annotate(total=Sum("steps"))
        .values("total")
    )
    Referral.objects.filter(waiting_list_adjustments__isnull=False).distinct().update(
        waiting_priority=Coalesce(Subquery(moves), 0)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0004_group_list_calendar_and_report_indexes"),
        ("referrals", "0007_list_order_waiting_list_and_purge_indexes"),
    ]

    operations = [migrations.RunPython(sum_the_moves, migrations.RunPython.noop)]
