"""Evaluation answers keep the method their group followed when they were given (issue 16): the
comparison by method read the group's current method, so changing a group's method moved its past
answers to another method. Existing answers get the method their group (or, for a weekend's
subgroup, its weekend) names now: the best that is known of the past. One UPDATE, whatever the
number of rows."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill_from_the_groups_current_method(apps, schema_editor):
    AnswerSet = apps.get_model("followup", "EvaluationAnswerSet")
    SupportGroup = apps.get_model("groups", "SupportGroup")
    own = SupportGroup.objects.filter(pk=OuterRef("group_id")).values("method_id")[:1]
    weekends = SupportGroup.objects.filter(pk=OuterRef("group_id")).values("parent__method_id")[:1]
    AnswerSet.objects.filter(method__isnull=True).update(method_id=Coalesce(Subquery(own), Subquery(weekends)))


class Migration(migrations.Migration):

    dependencies = [
        ('followup', '0008_information_meetings_across_the_city'),
        ('groups', '0010_group_counts_per_agreement_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='evaluationanswerset',
            name='method',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='groups.method', verbose_name='metod'),
        ),
        # Going back drops the column: nothing to undo.
        migrations.RunPython(fill_from_the_groups_current_method, migrations.RunPython.noop, elidable=True),
    ]
