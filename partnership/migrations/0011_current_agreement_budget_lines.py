"""The current agreement's yearly budget (IOP 4.1, 711 833 kr) as data: its four budget lines.

The agreement itself (the 2017–2018 IOP between Socialförvaltningen and Bris) is set up by the
coordinator (Ekonomi, Lägg upp en överenskommelse, which offers these four lines) or by the
demo. Where it exists without budget lines, as when it was entered in the admin, this adds
them. Idempotent and harmless: an agreement that already has lines is left as it is, and so is
every other agreement.
"""

import datetime

from django.db import migrations

from partnership.reference_data import AGREEMENT_NAME, BUDGET_LINES_KR, CITY, PROVIDER


def install_budget_lines(apps, schema_editor):
    Agreement = apps.get_model("partnership", "Agreement")
    BudgetLine = apps.get_model("partnership", "BudgetLine")
    agreements = Agreement.objects.filter(
        name=AGREEMENT_NAME,
        public_party__name=CITY,
        provider__name=PROVIDER,
        starts_on=datetime.date(2017, 1, 1),
        budget_lines__isnull=True,
    )
    for agreement in agreements:
        for position, (name, kronor) in enumerate(BUDGET_LINES_KR):
            BudgetLine.objects.get_or_create(
                agreement=agreement, name=name, defaults={"annual_amount_ore": kronor * 100, "position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("partnership", "0010_two_factor_enrolment_codes_and_account_events")]

    operations = [migrations.RunPython(install_budget_lines, migrations.RunPython.noop)]
