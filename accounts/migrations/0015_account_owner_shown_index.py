"""The accounts-by-owner index (visibility) widened with the category and name, so that "not
visited for too long" (plans.selectors.not_visited) reads a person's accounts from the index
alone (issue 9, "my work" at size). The new index is built before the old one goes: every
"owned by" lookup has an index throughout."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0014_account_access'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='account',
            index=models.Index(fields=['owner', 'id', 'category', 'name'], name='account_owner_shown'),
        ),
        migrations.RemoveIndex(
            model_name='account',
            name='account_owner_visibility',
        ),
    ]
