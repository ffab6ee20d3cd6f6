"""A fee from another municipality is one per child and agreement year (IOP 3.2), and the
finance log is append-only.

Existing fees get their child (the referral's identity hash) and year (of the group's first
meeting, else the invoice date); a second unpaid fee for the same child and year is voided with
a reason, as it was never owed. On PostgreSQL a trigger refuses UPDATE and DELETE on the finance
log, as on the access log (SQLite, used only for the local demo, relies on the application).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION finance_audit_log_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'finance_financeauditentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER finance_audit_log_append_only
    BEFORE UPDATE OR DELETE ON finance_financeauditentry
    FOR EACH ROW EXECUTE FUNCTION finance_audit_log_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS finance_audit_log_append_only ON finance_financeauditentry;
DROP FUNCTION IF EXISTS finance_audit_log_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def fees_per_child_and_year(apps, schema_editor):
    ExternalFee = apps.get_model("finance", "ExternalFee")
    seen = set()
    fees = ExternalFee.objects.select_related("placement__referral", "placement__group__parent")
    # Paid fees first, then the oldest: the one kept is the one the municipality has paid or got first.
    for fee in fees.order_by("paid_on", "invoiced_on", "pk"):
        placement = fee.placement
        referral = placement.referral if placement else None
        group = placement.group if placement else None
        starts_on = (group.starts_on or (group.parent.starts_on if group.parent_id else None)) if group else None
        fee.referral = referral
        fee.child_key = (referral.identity_hash or f"referral:{referral.pk}") if referral else f"fee:{fee.pk}"
        fee.year = (starts_on or fee.invoiced_on).year
        key = (fee.agreement_id, fee.child_key, fee.year)
        if key in seen:
            if fee.paid_on is None:
                fee.voided_at = fee.updated_at
                fee.void_reason = "En avgift per barn och år (IOP 3.2): dubblett av en tidigare avgift."
            else:  # two paid fees for one child: both stay, the second kept apart
                fee.child_key = f"{fee.child_key[:50]}:{fee.pk}"
        seen.add(key)
        fee.save(update_fields=["referral", "child_key", "year", "voided_at", "void_reason"])
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now, so the constraints below may alter the table.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")



class Migration(migrations.Migration):

    dependencies = [
        ('finance', '0006_annual_report_state_on_the_job'),
        ('referrals', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='financeauditentry',
            name='finance_audit_reopen_has_reason',
        ),
        migrations.AddField(
            model_name='externalfee',
            name='child_key',
            field=models.CharField(default='', editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='externalfee',
            name='referral',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='external_fees', to='referrals.referral'),
        ),
        migrations.AddField(
            model_name='externalfee',
            name='void_reason',
            field=models.TextField(blank=True, verbose_name='orsak till makulering'),
        ),
        migrations.AddField(
            model_name='externalfee',
            name='voided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='makulerad'),
        ),
        migrations.AddField(
            model_name='externalfee',
            name='voided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='externalfee',
            name='year',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='år'),
            preserve_default=False,
        ),
        migrations.RunPython(fees_per_child_and_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='externalfee',
            name='child_age',
            field=models.PositiveSmallIntegerField(verbose_name='barnets ålder vid gruppstart'),
        ),
        migrations.AlterField(
            model_name='financeauditentry',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='financeauditentry',
            name='action',
            field=models.CharField(choices=[('agreement_saved', 'Överenskommelse upplagd eller ändrad'), ('schedule_created', 'Betalningsplan skapad'), ('payment_marked_paid', 'Betalning markerad som betald'), ('payment_reopened', 'Betalning återöppnad'), ('cost_recorded', 'Kostnad registrerad'), ('cost_changed', 'Kostnad ändrad'), ('cost_removed', 'Kostnad borttagen'), ('fee_recorded', 'Avgift från annan kommun registrerad'), ('fee_voided', 'Avgift makulerad'), ('fee_marked_paid', 'Avgift markerad som betald'), ('travel_recorded', 'Resa/logi registrerad'), ('year_closed', 'Budgetår stängt'), ('year_reopened', 'Budgetår återöppnat'), ('report_requested', 'Redovisning beställd')], max_length=30, verbose_name='händelse'),
        ),
        migrations.AddConstraint(
            model_name='externalfee',
            constraint=models.UniqueConstraint(condition=models.Q(('voided_at__isnull', True)), fields=('agreement', 'child_key', 'year'), name='external_fee_one_per_child_and_year'),
        ),
        migrations.AddConstraint(
            model_name='externalfee',
            constraint=models.CheckConstraint(condition=models.Q(('voided_at__isnull', True), models.Q(('void_reason', ''), _negated=True), _connector='OR'), name='external_fee_void_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='externalfee',
            constraint=models.CheckConstraint(condition=models.Q(('voided_at__isnull', True), ('paid_on__isnull', True), _connector='OR'), name='external_fee_paid_not_voided'),
        ),
        migrations.AddConstraint(
            model_name='financeauditentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('action__in', ['payment_reopened', 'year_reopened', 'cost_removed', 'fee_voided']), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='finance_audit_reopen_has_reason'),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
