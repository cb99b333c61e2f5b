"""Rows of the sync collections written as JSON by PostgreSQL (the sync's fast path): accounts
(`GET /api/v1/accounts/`, with contacts, team and scores), contacts and orders; and their flat
fields as CSV records (`?format=csv`, written by COPY).

The serializers (`AccountSerializer` with its nested contacts, team and current scores;
`ContactSerializer`; `OrderSerializer`) are the reference: this module writes the same keys in the
same order with the same values, so a full sync of 100,000 accounts costs index scans and string
concatenation instead of 100,000 model instances and serializer calls (docs/benchmarks.md,
"sync"). A field added to a serializer must be added here too; accounts/tests/test_fast_list.py
compares every page of both paths and fails until it is. Each is a `PageJson`: SQL over the
page's rows `p` (`SyncCursorPagination.paginate_json`), whose datetimes need the session zone
that `kam.api.sql_json.json_rows_in_local_time_zone` sets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from django.db.models import QuerySet

from accounts.models import Account, AccountTeamMember, Contact, User
from kam.api.sql_json import (
    PageCsv,
    PageJson,
    blank_as_null,
    boolean,
    csv_text,
    decimal_text,
    iso_date,
    iso_datetime,
    json_arrays,
    json_object,
    json_value,
    number,
    string,
)
from tiering.models import AccountScore

P = "p"  # the page's row (every column of its table)
S = "s"  # an account's score in the current run, if any
CONTACTS = "cs"  # an account's contacts as a JSON array, if it has any
TEAM = "ts"  # its team as a JSON array, if it has one


def _contacts() -> str:
    """`ContactSummarySerializer` of the page's accounts' contacts, ordered as the prefetch (name,
    id): a derived table (key = account id, json) over the page's ids."""
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
    source = f"{Contact._meta.db_table} c WHERE c.account_id IN (SELECT id FROM {P})"  # noqa: S608 - names from code
    return json_arrays(key="c.account_id", row=row, source=source, order_by="c.name, c.id")


def _team() -> str:
    """`TeamSummarySerializer` of the page's account teams, ordered as the prefetch (id): a derived
    table (key = account id, json) over the page's ids."""
    # The username by a join: once per page it is one hash of the users (a join per account
    # hashed them for every row; a primary-key probe per member cost ~15 µs each).
    row = json_object([("role", string("t.role")), ("user", number("t.user_id")), ("username", string("u.username"))])
    team, users = AccountTeamMember._meta.db_table, User._meta.db_table
    source = f"{team} t JOIN {users} u ON u.id = t.user_id WHERE t.account_id IN (SELECT id FROM {P})"  # noqa: S608 - names from code
    return json_arrays(key="t.account_id", row=row, source=source, order_by="t.id")


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


# A row's fields: (key, how its value is written, SQL of the value). `NESTED`: SQL already of
# JSON (an object or array), left out of a CSV page, which holds the flat fields only.
Fields = list[tuple[str, Callable[[str], str] | None, str]]
NESTED = None


def _json(fields: Fields, *, stored: dict[str, str] | None = None) -> str:
    """stored: {a datetime's SQL (`p.<column>`): the table's column holding its UTC text}, read
    instead of formatting it (for a session in UTC only)."""
    stored = stored or {}

    def value(kind: Callable[[str], str] | None, sql: str) -> str:
        if kind is NESTED:
            return sql
        if kind is iso_datetime and sql in stored:
            return f"""COALESCE('"' || {P}.{stored[sql]} || '"', 'null')"""  # ISO text: nothing to escape
        return kind(sql)

    return json_object([(key, value(kind, sql)) for key, kind, sql in fields])


def _csv(fields: Fields, *, utc: bool = False) -> tuple[tuple[str, str], ...]:
    return tuple((key, csv_text(kind, sql, utc=utc)) for key, kind, sql in fields if kind is not NESTED)


def _page_csv(fields: Fields, *, joins: str = "", params: tuple = (), stored: dict[str, str] | None = None) -> PageCsv:
    """stored: {a datetime cell's SQL (`p.<column>`): the table's column holding its UTC text}."""
    page = PageCsv(columns=_csv(fields), joins=joins, params=params, utc_columns=_csv(fields, utc=True))
    if not stored:
        return page
    cells = tuple(
        (key, f"{P}.{stored[sql]}" if kind is iso_datetime and sql in stored else cell)
        for (key, cell), (_, kind, sql) in zip(page.utc_columns, [f for f in fields if f[1] is not NESTED], strict=True)
    )
    return replace(page, stored_columns=cells, stored=tuple(stored.values()))


# An account's datetimes as the API writes them in UTC, kept by PostgreSQL beside the row
# (generated columns, accounts/0017): a CSV page in UTC sends them instead of formatting each.
ACCOUNT_ISO_STAMPS = {f"{P}.created_at": "created_at_iso", f"{P}.updated_at": "updated_at_iso"}


def _account_fields() -> Fields:
    return [
        ("id", number, f"{P}.id"),
        ("external_id", string, f"{P}.external_id"),
        ("name", string, f"{P}.name"),
        ("english_name", string, f"{P}.english_name"),
        ("parent", number, f"{P}.parent_id"),
        ("industry", string, f"{P}.industry"),
        ("region", string, f"{P}.region"),
        ("employees", number, f"{P}.employees"),
        ("annual_revenue", decimal_text, f"{P}.annual_revenue"),
        ("business_strategy", string, f"{P}.business_strategy"),
        ("main_products", string, f"{P}.main_products"),
        ("credit_level", string, f"{P}.credit_level"),
        ("operating_status", string, f"{P}.operating_status"),
        ("development_bottleneck", string, f"{P}.development_bottleneck"),
        ("relationship_type", string, f"{P}.relationship_type"),
        ("lifecycle_stage", string, f"{P}.lifecycle_stage"),
        ("owner", number, f"{P}.owner_id"),
        ("tier", blank_as_null, f"{P}.tier"),
        ("category", blank_as_null, f"{P}.category"),
        ("recency_days", number, f"{S}.recency_days"),
        ("frequency", number, f"{S}.frequency"),
        ("monetary", decimal_text, f"{S}.monetary"),
        ("scores", NESTED, _scores()),
        ("contacts", NESTED, f"COALESCE({CONTACTS}.json, '[]')"),
        ("team", NESTED, f"COALESCE({TEAM}.json, '[]')"),
        ("created_at", iso_datetime, f"{P}.created_at"),
        ("updated_at", iso_datetime, f"{P}.updated_at"),
    ]


def _score_join(run_id: QuerySet) -> tuple[str, tuple]:
    """The current score joined over the page's ids (a probe of the unique (account, run,
    is_group) index per page row), and its parameters."""
    scores = AccountScore._meta.db_table
    run_sql, run_params = run_id.query.sql_with_params()
    join = (
        f"LEFT JOIN (SELECT * FROM {scores} WHERE account_id IN (SELECT id FROM {P}) "  # noqa: S608 - names from code, the run id as a parameter
        f"AND run_id = ({run_sql}) AND NOT is_group) {S} ON {S}.account_id = {P}.id"
    )
    return join, tuple(run_params)


def account_json(*, run_id: QuerySet) -> PageJson:
    """The page's account rows as `AccountSerializer` writes them, as JSON text.

    run_id: the current scoring run's id as a one-row `values("id")` queryset
    (`tiering.selectors.current_run_id`), read by the page's query itself; empty when no run has
    finished (then recency_days, frequency, monetary and scores are null, as in the serializer).
    """
    scores, params = _score_join(run_id)
    # Contacts and team: one grouped pass each over the page's ids.
    joins = (
        f"{scores} "
        f"LEFT JOIN {_contacts()} {CONTACTS} ON {CONTACTS}.key = {P}.id "
        f"LEFT JOIN {_team()} {TEAM} ON {TEAM}.key = {P}.id"
    )
    fields = _account_fields()
    return PageJson(
        sql=_json(fields),
        joins=joins,
        params=params,
        stored_sql=_json(fields, stored=ACCOUNT_ISO_STAMPS),
        stored=tuple(ACCOUNT_ISO_STAMPS.values()),
    )


def account_csv(*, run_id: QuerySet) -> PageCsv:
    """The page's account rows as CSV records: `account_json`'s flat fields (every one but scores,
    contacts and team), each as its JSON value's text. run_id: as for `account_json`."""
    scores = AccountScore._meta.db_table
    run_sql, run_params = run_id.query.sql_with_params()
    # A join on the page's rows themselves (a probe of the unique (account, run, is_group) index
    # per row), which keeps their keyset order: no CTE, no sort (see `paginate_csv`).
    joins = f"LEFT JOIN {scores} {S} ON {S}.account_id = {P}.id AND {S}.run_id = ({run_sql}) AND NOT {S}.is_group"  # noqa: S608 - names from code
    return _page_csv(_account_fields(), joins=joins, params=tuple(run_params), stored=ACCOUNT_ISO_STAMPS)


def _contact_fields() -> Fields:
    c = P
    return [
        ("id", number, f"{c}.id"),
        ("account", number, f"{c}.account_id"),
        ("external_id", string, f"{c}.external_id"),
        ("name", string, f"{c}.name"),
        ("title", string, f"{c}.title"),
        ("department", string, f"{c}.department"),
        ("buying_role", string, f"{c}.buying_role"),
        ("attitude", string, f"{c}.attitude"),
        ("reports_to", number, f"{c}.reports_to_id"),
        ("email", string, f"{c}.email"),
        ("phone", string, f"{c}.phone"),
        ("last_contacted_on", iso_date, f"{c}.last_contacted_on"),
        ("is_active", boolean, f"{c}.is_active"),
        ("updated_at", iso_datetime, f"{c}.updated_at"),
    ]


def contact_json() -> PageJson:
    """The page's contact rows as `ContactSerializer` writes them, as JSON text."""
    return PageJson(sql=_json(_contact_fields()))


def contact_csv() -> PageCsv:
    """The page's contact rows as CSV records (every field of `contact_json`)."""
    return _page_csv(_contact_fields())


def _order_fields() -> Fields:
    o = P
    account_external_id = f"(SELECT a.external_id FROM {Account._meta.db_table} a WHERE a.id = {o}.account_id)"  # noqa: S608
    return [
        ("id", number, f"{o}.id"),
        ("account", number, f"{o}.account_id"),
        ("account_external_id", string, account_external_id),
        ("external_id", string, f"{o}.external_id"),
        ("ordered_at", iso_date, f"{o}.ordered_at"),
        ("amount", decimal_text, f"{o}.amount"),
        ("margin", decimal_text, f"{o}.margin"),
        ("status", string, f"{o}.status"),
        ("updated_at", iso_datetime, f"{o}.updated_at"),
    ]


def order_json() -> PageJson:
    """The page's order rows as `OrderSerializer` writes them, as JSON text."""
    return PageJson(sql=_json(_order_fields()))


def order_csv() -> PageCsv:
    """The page's order rows as CSV records (every field of `order_json`)."""
    return _page_csv(_order_fields())
