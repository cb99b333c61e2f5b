"""The order roll-up keeps money as whole cents in doubles (see accounts.order_months):
the triggers are dropped, the columns replaced, and the triggers installed again, which
refills the roll-up from the orders."""

from django.db import migrations, models

from accounts import order_months


def uninstall(apps, schema_editor):
    order_months.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_order_months"),
    ]

    operations = [
        migrations.RunPython(uninstall, migrations.RunPython.noop),
        migrations.RemoveField(model_name="ordermonth", name="amount"),
        migrations.RemoveField(model_name="ordermonth", name="margin"),
        migrations.RemoveField(model_name="ordermonth", name="max_amount"),
        migrations.AddField(model_name="ordermonth", name="amount_cents", field=models.FloatField(default=0), preserve_default=False),
        migrations.AddField(model_name="ordermonth", name="margin_cents", field=models.FloatField(default=0), preserve_default=False),
        migrations.AddField(model_name="ordermonth", name="max_amount_cents", field=models.FloatField(default=0), preserve_default=False),
        # The triggers for these columns were installed here; 0007 installs them for the
        # purchase columns (accounts.order_months describes the current schema only).
    ]
