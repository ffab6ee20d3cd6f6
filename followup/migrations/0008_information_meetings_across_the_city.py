"""Information meetings across the city (issue 15): a meeting is held under an agreement (as every
meeting so far, Bris' breakfast meetings under the IOP) or by an organisation itself (the
coordinator's city, or a provider outside any agreement). Existing rows keep their agreement and
have no organiser, which the new constraint accepts: no data moves, the table stays."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('followup', '0007_member_public_id_unique'),
        ('partnership', '0015_access_log_password_chosen'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='informationmeeting',
            name='organiser',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='information_meetings', to='partnership.organisation', verbose_name='arrangör'),
        ),
        migrations.AlterField(
            model_name='informationmeeting',
            name='agreement',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='information_meetings', to='partnership.agreement', verbose_name='överenskommelse'),
        ),
        migrations.AddIndex(
            model_name='informationmeeting',
            index=models.Index(fields=['organiser', '-starts_at'], name='information_meeting_organiser'),
        ),
        migrations.AddConstraint(
            model_name='informationmeeting',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('agreement__isnull', False), ('organiser__isnull', True)), models.Q(('agreement__isnull', True), ('organiser__isnull', False)), _connector='OR'), name='information_meeting_one_holder'),
        ),
    ]
