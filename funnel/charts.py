"""The dashboard's tables as people read them: the new charts' tables (account funnel, accuracy
per rep, tier matrix, tier migrations, RFM segments, pyramid), the column labels in the active
language for the page and the XLSX export, and the new charts' data for ECharts.

A table is (header, rows): the header holds column codes (the CSV export's header, stable for
scripts), `labelled` turns them into labels; values are already what the page shows (stage and
segment labels, usernames, Decimal money in currency units, fractions 0-1).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funnel.domain import account_funnel as af
from funnel.models import Stage
from tiering.domain.matrix import TIER_CATEGORY
from tiering.explanations import category_label, segment_label
from tiering.models import ScoringRun

if TYPE_CHECKING:
    from funnel.selectors import Dashboard

NEW_CHARTS = ("accounts", "rep_accuracy", "tiers", "migrations", "segments", "pyramid")

ACCOUNT_STAGE_LABELS: dict[str, Promise] = {
    af.TARGET_MARKET: pgettext_lazy("account funnel", "Target market"),
    af.PROSPECT: pgettext_lazy("account funnel", "Prospects"),
    af.POSSIBLE: pgettext_lazy("account funnel", "Possible"),
    af.NORMAL: pgettext_lazy("account funnel", "Normal"),
    af.KEY: pgettext_lazy("account funnel", "Key"),
    af.SIGNED: pgettext_lazy("account funnel", "Signed"),
    af.QUALIFIED_SIGNED: pgettext_lazy("account funnel", "Qualified signed (fully paid)"),
}

# Column code -> label, for every chart's table (the existing ones included).
HEADERS: dict[str, Promise] = {
    "stage": _("Stage"),
    "count": _("Count"),
    "amount": _("Amount"),
    "weighted": _("Weighted"),
    "quarter": _("Quarter"),
    "week": _("Week"),
    "commit": _("Commit"),
    "won_to_date": _("Won to date"),
    "actual": _("Actual"),
    "accuracy": _("Accuracy"),
    "bias": _("Bias"),
    "opportunity": _("Opportunity"),
    "account": _("Account"),
    "owner": _("Owner"),
    "last_change": _("Last change"),
    "reached": _("Reached"),
    "conversion": _("Conversion"),
    "win_rate": _("Win rate"),
    "average_days": _("Average days"),
    "current": pgettext_lazy("receivables", "Not yet due"),
    "1-30": _("1-30 days"),
    "31-60": _("31-60 days"),
    "61-90": _("61-90 days"),
    "over 90": _("Over 90 days"),
    "total": _("Total"),
    "rep": _("Rep"),
    "manager_adjustment": _("Manager's adjustment"),
    "tier": _("Tier"),
    "accounts": _("Accounts"),
    "at_stage": _("At this stage"),
    "revenue": _("Revenue"),
    "at_start": _("At the start of the period"),
    "moved_on": _("Moved on"),
    "forecast": _("Forecast"),
    "category": _("Category"),
    "from_tier": _("From tier"),
    "to_tier": _("To tier"),
    "segment": _("RFM segment"),
    "pyramid_class": _("Pyramid class"),
    "revenue_share": _("Share of revenue"),
}

XLSX_TITLES: dict[str, Promise] = {
    "funnel": _("Sales funnel"),
    "weighted": _("Weighted pipeline"),
    "forecast": _("Forecast vs actual"),
    "stalled": _("Stalled deals"),
    "whitespace": _("Whitespace"),
    "conversion": _("Conversion"),
    "ageing": _("Receivables ageing"),
    "commitments": _("Commitments"),
    "accounts": _("Account funnel"),
    "rep_accuracy": _("Accuracy per rep"),
    "tiers": _("Tier matrix"),
    "migrations": _("Tier migrations"),
    "segments": _("RFM segments"),
    "pyramid": _("Revenue by pyramid class"),
}


def labelled(chart: str, header: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    """The table with its column labels in the active language; the conversion table's stage
    codes become the stage labels (the other tables hold labels already)."""
    if chart == "conversion":
        names = dict(Stage.choices)
        rows = [[str(names.get(row[0], row[0])), *row[1:]] for row in rows]
    return [str(HEADERS.get(code, code)) for code in header], rows


def _run_label(run: ScoringRun | None) -> str:
    return run.as_of.isoformat() if run is not None else ""


def extra_table(data: Dashboard, chart: str) -> tuple[list[str], list[list[Any]]]:
    """(header codes, rows) of one of NEW_CHARTS; KeyError for any other name."""
    if chart == "accounts":
        return ["stage", "at_stage", "reached", "revenue", "at_start", "moved_on", "conversion"], [
            [
                str(ACCOUNT_STAGE_LABELS[r.stage]),
                r.at_stage,
                r.reached,
                r.revenue,
                r.conversion.at_start,
                r.conversion.moved_on,
                r.conversion.conversion,
            ]
            for r in data.account_funnel.rows
        ]
    if chart == "rep_accuracy":
        return ["rep", "quarter", "forecast", "actual", "accuracy", "bias"], [
            [r.rep, r.quarter, r.forecast, r.actual, r.accuracy, r.bias] for r in data.rep_accuracy
        ]
    if chart == "tiers":
        return ["tier", "category", "accounts", "revenue"], [
            [cell.label, category_label(TIER_CATEGORY.get(cell.label, "")), cell.accounts, cell.revenue]
            for row in data.tiering.matrix
            for cell in row
        ]
    if chart == "migrations":
        return ["from_tier", "to_tier", "accounts"], [
            [m.before or "–", m.after, m.accounts] for m in data.tiering.migrations
        ]
    if chart == "segments":
        return ["segment", "accounts", "revenue"], [
            [segment_label(c.label), c.accounts, c.revenue] for c in data.tiering.segments
        ]
    if chart == "pyramid":
        total = sum((c.revenue for c in data.tiering.pyramid if c.revenue > 0), Decimal(0))
        return ["pyramid_class", "accounts", "revenue", "revenue_share"], [
            [c.label, c.accounts, c.revenue, (c.revenue / total).quantize(af.FOURTH_PLACE) if total else None]
            for c in data.tiering.pyramid
        ]
    raise KeyError(chart)


def _number(value: Any) -> float | None:  # noqa: ANN401 - Decimal, int or None
    return None if value is None else float(value)


def chart_data(data: Dashboard) -> dict[str, Any]:
    """The new charts' series for static/kam/dashboard.js (labels in the active language)."""
    return {
        "accounts": [
            {
                "stage": str(ACCOUNT_STAGE_LABELS[r.stage]),
                "reached": r.reached,
                "revenue": float(r.revenue),
                "conversion": _number(r.conversion.conversion),
            }
            for r in data.account_funnel.rows
        ],
        "rep_accuracy": [
            {"rep": r.rep, "quarter": r.quarter, "accuracy": _number(r.accuracy), "bias": _number(r.bias)}
            for r in data.rep_accuracy
        ],
        "tiers": [[cell.accounts for cell in row] for row in data.tiering.matrix],
        "migrations": [
            {"label": f"{m.before or '–'} → {m.after}", "accounts": m.accounts} for m in data.tiering.migrations[:20]
        ],
        "segments": [{"segment": segment_label(c.label), "accounts": c.accounts} for c in data.tiering.segments],
        "pyramid": [
            {"label": c.label, "accounts": c.accounts, "revenue": float(c.revenue)} for c in data.tiering.pyramid
        ],
        "runs": [_run_label(data.tiering.previous), _run_label(data.tiering.run)],
        "names": {
            code: str(HEADERS[code]) for code in ("reached", "revenue", "conversion", "accuracy", "bias", "accounts")
        },
    }
