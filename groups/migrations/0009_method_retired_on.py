# A method of the library is retired, never deleted (issue 16): the groups that followed it keep
# naming it, and the comparison of outcomes by method keeps its figures.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0008_method_library"),
    ]

    operations = [
        migrations.AddField(
            model_name="method",
            name="retired_on",
            field=models.DateField(blank=True, null=True, verbose_name="avvecklad"),
        ),
    ]
