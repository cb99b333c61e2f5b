"""The monthly order roll-up (`OrderMonth`): how triggers keep it, and how to rebuild it.

Triggers on the orders table add inserted orders to their month, subtract deleted ones and
recompute the month's largest order and latest date when an order leaves it, in the same
transaction as the write. PostgreSQL runs them once per statement over the transition tables
(a 5,000-order bulk upsert or a COPY is one grouped upsert); SQLite, the demo's database,
once per row. Cancelled orders are left out, as everywhere in tiering.

Money is kept in cents, as whole numbers in float8 columns: adding and subtracting whole
numbers is exact in a double up to 2**53 cents (90 trillion), and the nightly aggregate sums
doubles several times faster than numeric (it ends in floats for scoring anyway).
"""

# ruff: noqa: S608 - the SQL here is built from constant table and column names only

from __future__ import annotations

from django.db import connection

TABLE = "accounts_ordermonth"
ORDERS = "accounts_order"
COLUMNS = (
    "account_id, month, orders, entries, amount_cents, margin_cents, margin_unknown, max_amount_cents, last_ordered_at"
)

# What counts (docs/tiering.md): only an order with a positive amount is a purchase (`orders`,
# the largest order and the last purchase date); credit notes and returns (negative amounts)
# reduce the money; zero-value orders (samples) count for neither. `entries` counts every
# order kept, so a month of credit notes alone stays until its last order leaves. A margin the
# ERP did not send is unknown (NULL): left out of `margin_cents` and counted in `margin_unknown`.

# Adding grouped orders to their months; sorted so concurrent writers lock months in one order.
_PG_ADD = f"""
INSERT INTO {TABLE} AS m ({COLUMNS})
SELECT account_id, date_trunc('month', ordered_at)::date, count(*) FILTER (WHERE amount > 0), count(*),
       sum(amount) * 100, coalesce(sum(margin), 0) * 100, count(*) FILTER (WHERE margin IS NULL),
       max(amount) FILTER (WHERE amount > 0) * 100, max(ordered_at) FILTER (WHERE amount > 0)
FROM {{rows}} WHERE status <> 'cancelled' GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT (account_id, month) DO UPDATE SET
    orders = m.orders + EXCLUDED.orders, entries = m.entries + EXCLUDED.entries,
    amount_cents = m.amount_cents + EXCLUDED.amount_cents,
    margin_cents = m.margin_cents + EXCLUDED.margin_cents,
    margin_unknown = m.margin_unknown + EXCLUDED.margin_unknown,
    max_amount_cents = GREATEST(m.max_amount_cents, EXCLUDED.max_amount_cents),
    last_ordered_at = GREATEST(m.last_ordered_at, EXCLUDED.last_ordered_at);
"""

_PG_SUBTRACT = f"""
UPDATE {TABLE} AS m SET orders = m.orders - o.orders, entries = m.entries - o.entries,
    amount_cents = m.amount_cents - o.amount_cents, margin_cents = m.margin_cents - o.margin_cents,
    margin_unknown = m.margin_unknown - o.margin_unknown
FROM (SELECT account_id, date_trunc('month', ordered_at)::date AS month, count(*) FILTER (WHERE amount > 0) AS orders,
             count(*) AS entries, (sum(amount) * 100)::float8 AS amount_cents,
             (coalesce(sum(margin), 0) * 100)::float8 AS margin_cents,
             count(*) FILTER (WHERE margin IS NULL) AS margin_unknown
      FROM old_rows WHERE status <> 'cancelled' GROUP BY 1, 2) AS o
WHERE m.account_id = o.account_id AND m.month = o.month;
"""

# The largest order and latest date cannot be subtracted: read them again from the purchases
# still in the month (NULL when none is left). A separate statement, so (read committed) it
# sees every writer that held the month's row lock before ours.
_PG_REFRESH = f"""
DELETE FROM {TABLE} AS m USING old_rows AS o
WHERE m.account_id = o.account_id AND m.month = date_trunc('month', o.ordered_at)::date AND m.entries <= 0;
UPDATE {TABLE} AS m SET max_amount_cents = r.max_amount_cents, last_ordered_at = r.last_ordered_at
FROM (SELECT c.account_id, c.month, max(o.amount) * 100 AS max_amount_cents, max(o.ordered_at) AS last_ordered_at
      FROM (SELECT DISTINCT account_id, date_trunc('month', ordered_at)::date AS month
            FROM old_rows WHERE status <> 'cancelled') AS c
      LEFT JOIN {ORDERS} AS o ON o.account_id = c.account_id AND o.ordered_at >= c.month
           AND o.ordered_at < (c.month + interval '1 month')::date AND o.status <> 'cancelled' AND o.amount > 0
      GROUP BY 1, 2) AS r
WHERE m.account_id = r.account_id AND m.month = r.month;
"""


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND $$;"
    )


POSTGRES_INSTALL = [
    _pg_function("kam_order_month_insert", _PG_ADD.format(rows="new_rows")),
    _pg_function("kam_order_month_delete", _PG_SUBTRACT + _PG_REFRESH),
    _pg_function("kam_order_month_update", _PG_SUBTRACT + _PG_ADD.format(rows="new_rows") + _PG_REFRESH),
    # DELETE, not TRUNCATE: a TRUNCATE naming both tables (test flushes, seed_demo) is still
    # using the roll-up when this runs; it is already empty then.
    _pg_function("kam_order_month_truncate", f"DELETE FROM {TABLE};"),
    f"CREATE TRIGGER order_month_insert AFTER INSERT ON {ORDERS} REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION kam_order_month_insert()",
    f"CREATE TRIGGER order_month_delete AFTER DELETE ON {ORDERS} REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION kam_order_month_delete()",
    f"CREATE TRIGGER order_month_update AFTER UPDATE ON {ORDERS} REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kam_order_month_update()",
    f"CREATE TRIGGER order_month_truncate AFTER TRUNCATE ON {ORDERS} "
    "FOR EACH STATEMENT EXECUTE FUNCTION kam_order_month_truncate()",
    # Orders arrive roughly in date order, so a BRIN index finds a date range (the edges of
    # a tiering window) for almost nothing in size and write cost.
    f"CREATE INDEX order_date_brin ON {ORDERS} USING brin (ordered_at)",
    # Months are added as time goes by (and rebuilt in month order), so the roll-up lies in
    # month order too: a run reads its two windows' months, not the whole history.
    f"CREATE INDEX order_month_brin ON {TABLE} USING brin (month)",
]
POSTGRES_UNINSTALL = [
    "DROP INDEX IF EXISTS order_date_brin",
    "DROP INDEX IF EXISTS order_month_brin",
    *(f"DROP TRIGGER IF EXISTS order_month_{op} ON {ORDERS}" for op in ("insert", "delete", "update", "truncate")),
    *(f"DROP FUNCTION IF EXISTS kam_order_month_{op}()" for op in ("insert", "delete", "update", "truncate")),
]

_SQLITE_MONTH = "date({row}.ordered_at, 'start of month')"
# SQLite keeps a decimal as a double: 0.29 * 100 is 28.999999999999996, so round to the cent.
_SQLITE_CENTS = "round({value} * 100)"
_SQLITE_ADD = f"""
INSERT INTO {TABLE} ({COLUMNS})
VALUES (NEW.account_id, {_SQLITE_MONTH.format(row="NEW")}, NEW.amount > 0, 1,
        {_SQLITE_CENTS.format(value="NEW.amount")},
        coalesce({_SQLITE_CENTS.format(value="NEW.margin")}, 0), NEW.margin IS NULL,
        CASE WHEN NEW.amount > 0 THEN {_SQLITE_CENTS.format(value="NEW.amount")} END,
        CASE WHEN NEW.amount > 0 THEN NEW.ordered_at END)
ON CONFLICT (account_id, month) DO UPDATE SET
    orders = orders + excluded.orders, entries = entries + 1, amount_cents = amount_cents + excluded.amount_cents,
    margin_cents = margin_cents + excluded.margin_cents, margin_unknown = margin_unknown + excluded.margin_unknown,
    -- SQLite's max() of a NULL is NULL: keep whichever side is known
    max_amount_cents = max(coalesce(max_amount_cents, excluded.max_amount_cents),
                           coalesce(excluded.max_amount_cents, max_amount_cents)),
    last_ordered_at = max(coalesce(last_ordered_at, excluded.last_ordered_at),
                          coalesce(excluded.last_ordered_at, last_ordered_at));
"""
_SQLITE_REMOVE = f"""
UPDATE {TABLE} SET orders = orders - (OLD.amount > 0), entries = entries - 1,
    amount_cents = amount_cents - {_SQLITE_CENTS.format(value="OLD.amount")},
    margin_cents = margin_cents - coalesce({_SQLITE_CENTS.format(value="OLD.margin")}, 0),
    margin_unknown = margin_unknown - (OLD.margin IS NULL)
WHERE account_id = OLD.account_id AND month = {_SQLITE_MONTH.format(row="OLD")};
DELETE FROM {TABLE} WHERE account_id = OLD.account_id AND month = {_SQLITE_MONTH.format(row="OLD")} AND entries <= 0;
UPDATE {TABLE} SET
    max_amount_cents = (SELECT round(max(o.amount) * 100) FROM {ORDERS} AS o WHERE o.account_id = {TABLE}.account_id
                  AND o.ordered_at >= {TABLE}.month AND o.ordered_at < date({TABLE}.month, '+1 month')
                  AND o.status <> 'cancelled' AND o.amount > 0),
    last_ordered_at = (SELECT max(o.ordered_at) FROM {ORDERS} AS o WHERE o.account_id = {TABLE}.account_id
                  AND o.ordered_at >= {TABLE}.month AND o.ordered_at < date({TABLE}.month, '+1 month')
                  AND o.status <> 'cancelled' AND o.amount > 0)
WHERE account_id = OLD.account_id AND month = {_SQLITE_MONTH.format(row="OLD")};
"""
SQLITE_INSTALL = [
    f"CREATE TRIGGER order_month_insert AFTER INSERT ON {ORDERS} WHEN NEW.status <> 'cancelled' "
    f"BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER order_month_delete AFTER DELETE ON {ORDERS} WHEN OLD.status <> 'cancelled' "
    f"BEGIN {_SQLITE_REMOVE} END",
    # An update leaves the old month and joins the new one; either order of the two gives the same result.
    f"CREATE TRIGGER order_month_update_old AFTER UPDATE ON {ORDERS} WHEN OLD.status <> 'cancelled' "
    f"BEGIN {_SQLITE_REMOVE} END",
    f"CREATE TRIGGER order_month_update_new AFTER UPDATE ON {ORDERS} WHEN NEW.status <> 'cancelled' "
    f"BEGIN {_SQLITE_ADD} END",
]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS order_month_{name}" for name in ("insert", "delete", "update_old", "update_new")
]


def install(schema_editor) -> None:
    """Create the triggers (and fill the roll-up from the orders already there)."""
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL}.get(vendor)
    if statements is None:
        raise NotImplementedError(f"order roll-up triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement, params=None)
    rebuild(schema_editor.connection)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_UNINSTALL if vendor == "postgresql" else SQLITE_UNINSTALL:
        schema_editor.execute(statement, params=None)


def month_sql(column: str, vendor: str | None = None) -> str:
    """SQL for the first day of the month of a date column."""
    if (vendor or connection.vendor) == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def rebuild(conn=connection) -> None:
    """Recompute the whole roll-up from the orders (a repair; the triggers keep it otherwise)."""
    month = month_sql("ordered_at", conn.vendor)
    with conn.cursor() as cursor:
        # TRUNCATE leaves no dead rows behind (a DELETE of millions would bloat the table).
        cursor.execute(f"TRUNCATE {TABLE}" if conn.vendor == "postgresql" else f"DELETE FROM {TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}) "  # noqa: S608
            f"SELECT account_id, {month}, sum(CASE WHEN amount > 0 THEN 1 ELSE 0 END), count(*), "
            f"sum(round(amount * 100)), coalesce(sum(round(margin * 100)), 0), "
            f"sum(CASE WHEN margin IS NULL THEN 1 ELSE 0 END), "
            f"round(max(CASE WHEN amount > 0 THEN amount END) * 100), max(CASE WHEN amount > 0 THEN ordered_at END) "
            f"FROM {ORDERS} WHERE status <> 'cancelled' GROUP BY account_id, {month} ORDER BY 2, 1"
        )
