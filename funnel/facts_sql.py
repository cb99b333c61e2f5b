"""The PostgreSQL side of the account facts (issue 10 (a)): per account, what the account
funnel needs from its orders and receivables, kept exact by triggers, so the dashboard's
account funnel reads one row per account instead of aggregating every order and payment of
the ~50,000 accounts in scope.

Table (PostgreSQL only; SQLite aggregates the orders and payments as before):
  funnel_accountfacts (account_id PK,
      first_purchase date: its first purchase (an order not cancelled, amount > 0), NULL: none;
      first_paid date: its first payment (a receivable's paid_on), NULL: none;
      unpaid integer: receivables not paid (paid_on NULL) now;
      open_days datemultirange: the days on which a receivable was open, the union over its
          receivables of [existed, paid_on) (upper unbounded while unpaid), where a receivable
          exists from its order's date, else its invoice's issue date, else its due date)
  — exactly the per-account aggregates of funnel.selectors_accounts.account_funnel's live
  query: signed on day D ⇔ first_purchase <= D and first_paid <= D; fully paid on D ⇔ D not
  in open_days; fully paid now ⇔ unpaid = 0. An account without a row has no order and no
  receivable (nothing signed, nothing open).

Kept by statement-level triggers (transition tables) on orders, payments and invoices: every
account a statement may have changed (the rows' accounts before and after, and those of the
receivables that name a changed order or invoice, whose existence day may have moved) is
recomputed from its rows (`funnel_facts_refresh`), under its facts row's lock so that two
writers of one account recompute one after the other (read committed: the second sees the
first's rows). A TRUNCATE recomputes everything; deleted accounts lose their row.

Migration funnel/0006 runs FORWARD and FILL; the seed loads orders and payments with
TRIGGERS off and runs FILL once after.
"""

from __future__ import annotations

# Per account id `{a}`: its facts from its own rows (the live query's aggregates).
_FACTS_OF = """
    (SELECT min(o.ordered_at) FROM accounts_order o
      WHERE o.account_id = {a} AND o.amount > 0 AND o.status <> 'cancelled') AS first_purchase,
    (SELECT min(p.paid_on) FROM accounts_payment p WHERE p.account_id = {a}) AS first_paid,
    (SELECT count(*) FROM accounts_payment p WHERE p.account_id = {a} AND p.paid_on IS NULL) AS unpaid,
    COALESCE((
        SELECT range_agg(daterange(e.existed, e.paid_on, '[)'))
        FROM (SELECT COALESCE(o.ordered_at, i.issued_on, p.due_on) AS existed, p.paid_on
              FROM accounts_payment p
              LEFT JOIN accounts_order o ON o.id = p.order_id
              LEFT JOIN accounts_invoice i ON i.id = p.invoice_id
              WHERE p.account_id = {a}) AS e
        WHERE e.paid_on IS NULL OR e.paid_on > e.existed
    ), '{{}}'::datemultirange) AS open_days
"""

FORWARD = f"""
CREATE TABLE funnel_accountfacts (
    account_id bigint PRIMARY KEY,
    first_purchase date,
    first_paid date,
    unpaid integer NOT NULL DEFAULT 0,
    open_days datemultirange NOT NULL DEFAULT '{{}}'
);

-- Recompute the facts of accounts `ids` from their orders and receivables.
CREATE FUNCTION funnel_facts_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
    -- A row to lock per existing account; then the locks, in id order (no deadlock between
    -- writers): a second writer of the same account waits here for the first to commit, and
    -- its recomputation (a later statement: a later snapshot) sees the first's rows.
    INSERT INTO funnel_accountfacts (account_id)
        SELECT acc.id FROM accounts_account acc WHERE acc.id = ANY(ids) ORDER BY acc.id
        ON CONFLICT (account_id) DO NOTHING;
    PERFORM 1 FROM funnel_accountfacts f WHERE f.account_id = ANY(ids) ORDER BY f.account_id FOR UPDATE;
    UPDATE funnel_accountfacts f
        SET first_purchase = n.first_purchase, first_paid = n.first_paid, unpaid = n.unpaid, open_days = n.open_days
        FROM (SELECT x.id, {_FACTS_OF.format(a="x.id")} FROM (SELECT DISTINCT unnest(ids) AS id) AS x) AS n
        WHERE f.account_id = n.id
          AND (f.first_purchase, f.first_paid, f.unpaid, f.open_days)
              IS DISTINCT FROM (n.first_purchase, n.first_paid, n.unpaid, n.open_days);
END $$;

CREATE FUNCTION funnel_facts_orders_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The orders' accounts, and those of the receivables naming them (their existence day).
    IF TG_OP = 'INSERT' THEN
        PERFORM funnel_facts_refresh(ARRAY(
            SELECT account_id FROM new_rows
            UNION SELECT p.account_id FROM accounts_payment p WHERE p.order_id IN (SELECT id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM funnel_facts_refresh(ARRAY(
            SELECT account_id FROM old_rows
            UNION SELECT p.account_id FROM accounts_payment p WHERE p.order_id IN (SELECT id FROM old_rows)));
    ELSE
        PERFORM funnel_facts_refresh(ARRAY(
            SELECT account_id FROM old_rows UNION SELECT account_id FROM new_rows
            UNION SELECT p.account_id FROM accounts_payment p WHERE p.order_id IN (SELECT id FROM new_rows)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION funnel_facts_payments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM funnel_facts_refresh(ARRAY(SELECT account_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM funnel_facts_refresh(ARRAY(SELECT account_id FROM old_rows));
    ELSE
        PERFORM funnel_facts_refresh(ARRAY(SELECT account_id FROM old_rows UNION SELECT account_id FROM new_rows));
    END IF;
    RETURN NULL;
END $$;

-- An invoice reaches the facts only through the receivables naming it (their existence day).
CREATE FUNCTION funnel_facts_invoices_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM funnel_facts_refresh(ARRAY(
            SELECT DISTINCT p.account_id FROM accounts_payment p WHERE p.invoice_id IN (SELECT id FROM old_rows)));
    ELSE
        PERFORM funnel_facts_refresh(ARRAY(
            SELECT DISTINCT p.account_id FROM accounts_payment p WHERE p.invoice_id IN (SELECT id FROM new_rows)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION funnel_facts_accounts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM funnel_accountfacts f USING old_rows o WHERE f.account_id = o.id;
    RETURN NULL;
END $$;

-- Every account's facts from scratch. DELETE, not TRUNCATE: run by a TRUNCATE trigger, and a
-- TRUNCATE naming this table too (test flushes) is still using it then.
CREATE FUNCTION funnel_facts_fill() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM funnel_accountfacts;
    INSERT INTO funnel_accountfacts (account_id, first_purchase, first_paid, unpaid, open_days)
        SELECT x.id, {_FACTS_OF.format(a="x.id")}
        FROM (SELECT account_id AS id FROM accounts_order UNION SELECT account_id FROM accounts_payment) AS x
        WHERE EXISTS (SELECT 1 FROM accounts_account acc WHERE acc.id = x.id);
END $$;

CREATE FUNCTION funnel_facts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM funnel_facts_fill();
    RETURN NULL;
END $$;

CREATE TRIGGER funnel_facts_orders_inserted AFTER INSERT ON accounts_order
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_orders_changed();
CREATE TRIGGER funnel_facts_orders_updated AFTER UPDATE ON accounts_order
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_orders_changed();
CREATE TRIGGER funnel_facts_orders_deleted AFTER DELETE ON accounts_order
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_orders_changed();
CREATE TRIGGER funnel_facts_orders_truncated AFTER TRUNCATE ON accounts_order
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_truncated();
CREATE TRIGGER funnel_facts_payments_inserted AFTER INSERT ON accounts_payment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_payments_changed();
CREATE TRIGGER funnel_facts_payments_updated AFTER UPDATE ON accounts_payment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_payments_changed();
CREATE TRIGGER funnel_facts_payments_deleted AFTER DELETE ON accounts_payment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_payments_changed();
CREATE TRIGGER funnel_facts_payments_truncated AFTER TRUNCATE ON accounts_payment
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_truncated();
CREATE TRIGGER funnel_facts_invoices_inserted AFTER INSERT ON accounts_invoice
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_invoices_changed();
CREATE TRIGGER funnel_facts_invoices_updated AFTER UPDATE ON accounts_invoice
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_invoices_changed();
CREATE TRIGGER funnel_facts_invoices_deleted AFTER DELETE ON accounts_invoice
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_invoices_changed();
CREATE TRIGGER funnel_facts_invoices_truncated AFTER TRUNCATE ON accounts_invoice
    FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_truncated();
CREATE TRIGGER funnel_facts_accounts_deleted AFTER DELETE ON accounts_account
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funnel_facts_accounts_deleted();
"""  # noqa: S608 - SQL written here, no input

# Every account's facts from scratch (the migration, the seed after its load, a repair).
FILL = ("SELECT funnel_facts_fill()", "ANALYZE funnel_accountfacts")

BACKWARD = """
DROP TRIGGER IF EXISTS funnel_facts_orders_inserted ON accounts_order;
DROP TRIGGER IF EXISTS funnel_facts_orders_updated ON accounts_order;
DROP TRIGGER IF EXISTS funnel_facts_orders_deleted ON accounts_order;
DROP TRIGGER IF EXISTS funnel_facts_orders_truncated ON accounts_order;
DROP TRIGGER IF EXISTS funnel_facts_payments_inserted ON accounts_payment;
DROP TRIGGER IF EXISTS funnel_facts_payments_updated ON accounts_payment;
DROP TRIGGER IF EXISTS funnel_facts_payments_deleted ON accounts_payment;
DROP TRIGGER IF EXISTS funnel_facts_payments_truncated ON accounts_payment;
DROP TRIGGER IF EXISTS funnel_facts_invoices_inserted ON accounts_invoice;
DROP TRIGGER IF EXISTS funnel_facts_invoices_updated ON accounts_invoice;
DROP TRIGGER IF EXISTS funnel_facts_invoices_deleted ON accounts_invoice;
DROP TRIGGER IF EXISTS funnel_facts_invoices_truncated ON accounts_invoice;
DROP TRIGGER IF EXISTS funnel_facts_accounts_deleted ON accounts_account;
DROP FUNCTION IF EXISTS funnel_facts_refresh(bigint[]), funnel_facts_orders_changed(),
    funnel_facts_payments_changed(), funnel_facts_invoices_changed(), funnel_facts_accounts_deleted(),
    funnel_facts_truncated(), funnel_facts_fill();
DROP TABLE IF EXISTS funnel_accountfacts;
"""

# The seed loads orders, invoices and payments with these off, then runs FILL once.
TRIGGERS = {
    "accounts_order": tuple(f"funnel_facts_orders_{e}" for e in ("inserted", "updated", "deleted", "truncated")),
    "accounts_payment": tuple(f"funnel_facts_payments_{e}" for e in ("inserted", "updated", "deleted", "truncated")),
    "accounts_invoice": tuple(f"funnel_facts_invoices_{e}" for e in ("inserted", "updated", "deleted", "truncated")),
}
