"""Every account has an owner (issue 13 item 4): ownerless accounts go to the default owner."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def give_ownerless_accounts_an_owner(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    Account = apps.get_model("accounts", "Account")
    User = apps.get_model("accounts", "User")
    ownerless = Account.objects.filter(owner__isnull=True)
    if not ownerless.exists():
        return
    owners = User.objects.filter(is_active=True, role__in=("rep", "manager", "director"))
    owner = owners.filter(username=settings.DEFAULT_ACCOUNT_OWNER).first() if settings.DEFAULT_ACCOUNT_OWNER else None
    owner = owner or owners.filter(role="director").order_by("pk").first()
    if owner is None:
        raise RuntimeError(
            "Some accounts have no owner and there is no director to give them to: "
            "set DEFAULT_ACCOUNT_OWNER to the username of someone who can own accounts."
        )
    ownerless.update(owner=owner)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_deleted_records"),
    ]

    operations = [
        migrations.RunPython(give_ownerless_accounts_an_owner, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="account",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="owned_accounts",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
    ]
