"""The identity-number hashes move to IDENTITY_HASH_KEY, a key that does not rotate."""

from django.db import migrations

from referrals.identity_hashes import rebuild_identity_hashes


def rehash(apps, schema_editor):
    rebuild_identity_hashes(apps.get_model("referrals", "Referral"))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_interest_registration_purge")]

    operations = [migrations.RunPython(rehash, migrations.RunPython.noop)]
