"""Migration 0010 gives ownerless accounts an owner before the column becomes required."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0009_deleted_records")]
AFTER = [("accounts", "0010_account_owner_required")]


@pytest.mark.django_db(transaction=True)
def test_ownerless_accounts_go_to_the_default_owner_or_the_director(settings) -> None:
    settings.DEFAULT_ACCOUNT_OWNER = ""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        director = old.get_model("accounts", "User").objects.create(username="boss", role="director")
        old.get_model("accounts", "Account").objects.create(name="无人负责")
        # when migrated forward
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
    # then the ownerless account belongs to the director
    from accounts.models import Account

    assert Account.objects.get(name="无人负责").owner_id == director.pk
