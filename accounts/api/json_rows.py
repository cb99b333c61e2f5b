"""Rows of the sync collections written as JSON by PostgreSQL (the sync's fast path): accounts
(`GET /api/v1/accounts/`, with contacts, team and scores), contacts and orders.

The serializers (`AccountSerializer` with its nested contacts, team and current scores;
`ContactSerializer`; `OrderSerializer`) are the reference: this module writes the same keys in the
same order with the same values, so a full sync of 100,000 accounts costs index scans and string
concatenation instead of 100,000 model instances and serializer calls (docs/benchmarks.md,
"sync"). A field added to a serializer must be added here too; accounts/tests/test_fast_list.py
compares every page of both paths and fails until it is. Datetimes need the session zone of
`kam.api.sql_json.rows_in_local_time_zone` to read the query.
"""

from __future__ import annotations

from django.db.models import QuerySet, TextField
from django.db.models.expressions import RawSQL

from accounts.models import Account, AccountTeamMember, Contact, Order, User
from kam.api.sql_json import (
    blank_as_null,
    boolean,
    decimal_text,
    iso_date,
    iso_datetime,
    json_array,
    json_object,
    json_value,
    number,
    string,
)
from tiering.models import AccountScore

A = f'"{Account._meta.db_table}"'  # the outer query's account row
S = "s"  # its score in the current run, if any


def _contacts() -> str:
    """`ContactSummarySerializer` of the account's contacts, ordered as the prefetch (name, id)."""
    row = json_object(
        [
            ("id", number("c.id")),
            ("name", string("c.name")),
            ("title", string("c.title")),
            ("department", string("c.department")),
            ("buying_role", string("c.buying_role")),
            ("attitude", string("c.attitude")),
            ("reports_to", number("c.reports_to_id")),
            ("is_active", boolean("c.is_active")),
        ]
    )
    return json_array(
        row=row, source=f"{Contact._meta.db_table} c WHERE c.account_id = {A}.id", order_by="c.name, c.id"
    )


def _team() -> str:
    """`TeamSummarySerializer` of the account team, ordered as the prefetch (id)."""
    # The username by a scalar subquery (a primary-key probe), not a join: a join made the planner
    # hash the users for every account, 30 µs a row against 1 µs.
    username = f"(SELECT u.username FROM {User._meta.db_table} u WHERE u.id = t.user_id)"  # noqa: S608 - names from code
    row = json_object([("role", string("t.role")), ("user", number("t.user_id")), ("username", string(username))])
    source = f"{AccountTeamMember._meta.db_table} t WHERE t.account_id = {A}.id"
    return json_array(row=row, source=source, order_by="t.id")


def _scores() -> str:
    """`CurrentScoreSerializer` of the score in the current run, or null."""
    row = json_object(
        [
            ("id", number(f"{S}.id")),
            ("run", number(f"{S}.run_id")),
            ("r_score", number(f"{S}.r_score")),
            ("f_score", number(f"{S}.f_score")),
            ("m_score", number(f"{S}.m_score")),
            ("segment", string(f"{S}.segment")),
            ("pareto_class", string(f"{S}.pareto_class")),
            ("composite", decimal_text(f"{S}.composite")),
            ("badges", json_value(f"{S}.badges")),
            ("attractiveness", string(f"{S}.attractiveness")),
            ("attractiveness_provisional", boolean(f"{S}.attractiveness_provisional")),
            ("potential_band", string(f"{S}.potential_band")),
            ("relationship", string(f"{S}.relationship")),
            ("position", number(f"{S}.position")),
            ("overridden", boolean(f"{S}.overridden")),
        ]
    )
    return f"(CASE WHEN {S}.id IS NULL THEN 'null' ELSE {row} END)"


def account_json(*, run_id: QuerySet) -> RawSQL:
    """An annotation: the row of `accounts_account` as `AccountSerializer` writes it, as JSON text.

    run_id: the current scoring run's id as a one-row `values("id")` queryset
    (`tiering.selectors.current_run_id`), read by the page's query itself; empty when no run has
    finished (then recency_days, frequency, monetary and scores are null, as in the serializer).
    """
    row = json_object(
        [
            ("id", number(f"{A}.id")),
            ("external_id", string(f"{A}.external_id")),
            ("name", string(f"{A}.name")),
            ("english_name", string(f"{A}.english_name")),
            ("parent", number(f"{A}.parent_id")),
            ("industry", string(f"{A}.industry")),
            ("region", string(f"{A}.region")),
            ("employees", number(f"{A}.employees")),
            ("annual_revenue", decimal_text(f"{A}.annual_revenue")),
            ("business_strategy", string(f"{A}.business_strategy")),
            ("main_products", string(f"{A}.main_products")),
            ("credit_level", string(f"{A}.credit_level")),
            ("operating_status", string(f"{A}.operating_status")),
            ("development_bottleneck", string(f"{A}.development_bottleneck")),
            ("relationship_type", string(f"{A}.relationship_type")),
            ("lifecycle_stage", string(f"{A}.lifecycle_stage")),
            ("owner", number(f"{A}.owner_id")),
            ("tier", blank_as_null(f"{A}.tier")),
            ("category", blank_as_null(f"{A}.category")),
            ("recency_days", number(f"{S}.recency_days")),
            ("frequency", number(f"{S}.frequency")),
            ("monetary", decimal_text(f"{S}.monetary")),
            ("scores", _scores()),
            ("contacts", _contacts()),
            ("team", _team()),
            ("created_at", iso_datetime(f"{A}.created_at")),
            ("updated_at", iso_datetime(f"{A}.updated_at")),
        ]
    )
    scores = AccountScore._meta.db_table
    run_sql, run_params = run_id.query.sql_with_params()
    # A scalar subquery on the outer row: the current score is one probe of the unique
    # (account, run, is_group) index, joined once and read by four fields.
    sql = (
        f"(SELECT {row} FROM (SELECT) AS one "  # noqa: S608 - names from code, the run id as a parameter
        f"LEFT JOIN {scores} {S} ON {S}.account_id = {A}.id AND {S}.run_id = ({run_sql}) AND NOT {S}.is_group)"
    )
    return RawSQL(sql, run_params, output_field=TextField())  # noqa: S611 - names from code, values as params


def contact_json() -> RawSQL:
    """An annotation: the row of `accounts_contact` as `ContactSerializer` writes it, as JSON text."""
    c = f'"{Contact._meta.db_table}"'
    row = json_object(
        [
            ("id", number(f"{c}.id")),
            ("account", number(f"{c}.account_id")),
            ("external_id", string(f"{c}.external_id")),
            ("name", string(f"{c}.name")),
            ("title", string(f"{c}.title")),
            ("department", string(f"{c}.department")),
            ("buying_role", string(f"{c}.buying_role")),
            ("attitude", string(f"{c}.attitude")),
            ("reports_to", number(f"{c}.reports_to_id")),
            ("email", string(f"{c}.email")),
            ("phone", string(f"{c}.phone")),
            ("last_contacted_on", iso_date(f"{c}.last_contacted_on")),
            ("is_active", boolean(f"{c}.is_active")),
            ("updated_at", iso_datetime(f"{c}.updated_at")),
        ]
    )
    return RawSQL(row, [], output_field=TextField())  # noqa: S611 - names from code, no values


def order_json() -> RawSQL:
    """An annotation: the row of `accounts_order` as `OrderSerializer` writes it, as JSON text."""
    o = f'"{Order._meta.db_table}"'
    account_external_id = f"(SELECT a.external_id FROM {Account._meta.db_table} a WHERE a.id = {o}.account_id)"  # noqa: S608
    row = json_object(
        [
            ("id", number(f"{o}.id")),
            ("account", number(f"{o}.account_id")),
            ("account_external_id", string(account_external_id)),
            ("external_id", string(f"{o}.external_id")),
            ("ordered_at", iso_date(f"{o}.ordered_at")),
            ("amount", decimal_text(f"{o}.amount")),
            ("margin", decimal_text(f"{o}.margin")),
            ("status", string(f"{o}.status")),
            ("updated_at", iso_datetime(f"{o}.updated_at")),
        ]
    )
    return RawSQL(row, [], output_field=TextField())  # noqa: S611 - names from code, no values
