"""The next contact day of each contact-plan entry, stored (issue 9's "my work" at size): the
column, its index (owner, next contact, id, account), the triggers that keep it equal to the rule,
and its first value for the rows there are.

The rule (plans.domain.contacts.next_contact_day; plans.expressions is the same in the ORM):
`interval_days` after the contact's `last_contacted_on`, never before `starts_on`, `starts_on`
when nobody was in touch yet; NULL when the contact has left (`is_active` false: nobody to contact,
so neither overdue nor due). It reads the entry (contact, interval, start) and the contact (last
contacted day, active), so two triggers keep it, on PostgreSQL and on SQLite alike:
  * an entry inserted or updated (any column, so a stale value written back by `save()` is
    corrected too) takes its value from its contact;
  * a contact whose last contacted day or active flag changed gives its entries theirs (once per
    statement on PostgreSQL, over transition tables, so bulk updates stay set-based).
Every writer (services, bulk API, admin, raw SQL, seeding) is covered; nothing in Python sets it.

Concurrency (PostgreSQL): the entry's trigger reads its contact FOR SHARE, so an entry written
while another transaction changes that contact's last contacted day either waits for it and
reads the new day, or makes it wait until the entry is committed and then seen by its trigger.

SQLite: Django rebuilds a table (copy, drop, rename) for some ALTERs, which drops its triggers; a
later migration that rebuilds plans_contactplanentry or accounts_contact on SQLite must create them
again (plans/tests/test_next_contact_stored.py fails without them).
"""

from django.db import migrations, models

PG_RULE = "CASE WHEN {c}.is_active THEN greatest(coalesce({c}.last_contacted_on + {e}.interval_days, {e}.starts_on), {e}.starts_on) END"
SQLITE_RULE = (
    "CASE WHEN {c}.is_active THEN max(coalesce(date({c}.last_contacted_on, '+' || {e}.interval_days || ' days'),"
    " {e}.starts_on), {e}.starts_on) END"
)

PG_FORWARD = f"""
-- No contact changes between the first values and the triggers (this transaction holds it to commit).
LOCK TABLE accounts_contact IN SHARE ROW EXCLUSIVE MODE;
UPDATE plans_contactplanentry e SET next_contact_on = {PG_RULE.format(c="c", e="e")}
  FROM accounts_contact c WHERE c.id = e.contact_id;

CREATE FUNCTION plans_contact_plan_next_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT {PG_RULE.format(c="c", e="NEW")} INTO NEW.next_contact_on
      FROM accounts_contact c WHERE c.id = NEW.contact_id
       FOR SHARE;
    RETURN NEW;
END $$;
CREATE TRIGGER plans_contact_plan_next_contact BEFORE INSERT OR UPDATE ON plans_contactplanentry
    FOR EACH ROW EXECUTE FUNCTION plans_contact_plan_next_contact();

CREATE FUNCTION plans_contacts_next_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE plans_contactplanentry e SET next_contact_on = {PG_RULE.format(c="n", e="e")}
      FROM plans_contacts_new n JOIN plans_contacts_old o ON o.id = n.id
     WHERE e.contact_id = n.id
       AND (n.last_contacted_on IS DISTINCT FROM o.last_contacted_on OR n.is_active IS DISTINCT FROM o.is_active);
    RETURN NULL;
END $$;
CREATE TRIGGER plans_contacts_next_contact AFTER UPDATE ON accounts_contact
    REFERENCING OLD TABLE AS plans_contacts_old NEW TABLE AS plans_contacts_new
    FOR EACH STATEMENT EXECUTE FUNCTION plans_contacts_next_contact();
"""
PG_BACKWARD = """
DROP TRIGGER plans_contacts_next_contact ON accounts_contact;
DROP FUNCTION plans_contacts_next_contact();
DROP TRIGGER plans_contact_plan_next_contact ON plans_contactplanentry;
DROP FUNCTION plans_contact_plan_next_contact();
"""

# SQLite: AFTER triggers that write the row again (recursive triggers are off, and the WHEN
# stops them anyway once the value is right).
SQLITE_OF_ENTRY = f"(SELECT {SQLITE_RULE.format(c='c', e='NEW')} FROM accounts_contact c WHERE c.id = NEW.contact_id)"
SQLITE_FORWARD = [
    f"""UPDATE plans_contactplanentry SET next_contact_on = (SELECT {SQLITE_RULE.format(c="c", e="plans_contactplanentry")}
        FROM accounts_contact c WHERE c.id = plans_contactplanentry.contact_id)""",
    *(
        f"""CREATE TRIGGER plans_contact_plan_next_contact_{when} AFTER {when.upper()} ON plans_contactplanentry
        WHEN NEW.next_contact_on IS NOT {SQLITE_OF_ENTRY}
        BEGIN
            UPDATE plans_contactplanentry SET next_contact_on = {SQLITE_OF_ENTRY} WHERE id = NEW.id;
        END"""
        for when in ("insert", "update")
    ),
    f"""CREATE TRIGGER plans_contacts_next_contact AFTER UPDATE OF last_contacted_on, is_active ON accounts_contact
        WHEN OLD.last_contacted_on IS NOT NEW.last_contacted_on OR OLD.is_active IS NOT NEW.is_active
        BEGIN
            UPDATE plans_contactplanentry SET next_contact_on = {SQLITE_RULE.format(c="NEW", e="plans_contactplanentry")}
            WHERE contact_id = NEW.id;
        END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER plans_contacts_next_contact",
    "DROP TRIGGER plans_contact_plan_next_contact_update",
    "DROP TRIGGER plans_contact_plan_next_contact_insert",
]


def _run(statements_by_vendor: dict[str, str | list[str]]):  # noqa: ANN202
    def run(apps, schema_editor) -> None:  # noqa: ANN001
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(f"no next-contact triggers for {schema_editor.connection.vendor}")
        for statement in [statements] if isinstance(statements, str) else statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0014_account_access'),
        ('plans', '0014_notification_daily_digest'),
    ]

    operations = [
        migrations.AddField(
            model_name='contactplanentry',
            name='next_contact_on',
            field=models.DateField(editable=False, null=True, verbose_name='Next'),
        ),
        # The index first, so that the first values below are written into it: an index built
        # after them in this transaction would be unusable until the older transactions end.
        migrations.AddIndex(
            model_name='contactplanentry',
            index=models.Index(fields=['owner', 'next_contact_on', 'id', 'account'], name='contact_plan_next'),
        ),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
