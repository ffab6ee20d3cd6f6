"""The duty to report's legal reference, dated: the old Social Services Act until 30 June 2025,
the new one, SoL (2025:400), from 1 July 2025. Editable in the admin afterwards."""

import datetime

from django.db import migrations

REFERENCES = [
    (datetime.date(2002, 1, 1), "14 kap. 1 § SoL (2001:453)"),
    # The new act renumbered the provision; the section is left for the city's lawyers to fill in
    # (admin) rather than guessed here.
    (datetime.date(2025, 7, 1), "Anmälningsskyldigheten i socialtjänstlagen (2025:400)"),
]


def seed(apps, schema_editor):
    DutyToReportReference = apps.get_model("consent", "DutyToReportReference")
    for valid_from, reference in REFERENCES:
        DutyToReportReference.objects.get_or_create(valid_from=valid_from, defaults={"reference": reference})


class Migration(migrations.Migration):
    dependencies = [("consent", "0005_concern_unreachable_and_dated_legal_reference")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
