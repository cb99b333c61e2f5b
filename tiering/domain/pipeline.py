"""Score and place every account in one pass: RFM, Pareto, composite, badges, A1-C6 tier.

`place_accounts` takes the frame a selector builds (one row per account or rolled-up
group, index = account id; see INPUT_COLUMNS) and returns OUTPUT_COLUMNS. Everything is
column-wise numpy except the final assembly of `badges` and `reasons` lists, so 100,000
accounts take about a second. With `explain=False` the reasons are left out and the inputs
they are written from (EXPLANATION_COLUMNS) are returned instead, so a run can store a
snapshot's few numbers and `explain` can write its sentences when someone reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .attractiveness import attractiveness
from .badges import badge_flags, badges_from_flags
from .columns import require_columns, to_choice, to_count, to_float
from .composite import composite_scores
from .config import FACTORS, RELATIONSHIP_TYPES, TieringConfig
from .matrix import TIER_CATEGORY, TIERS, place_many
from .pareto import pareto_class
from .position import positions, potential, relationship_strength
from .rfm import recency_days, rfm_scores, segments_for

# name -> what the selector must supply (NA allowed where a default is given).
INPUT_COLUMNS = {
    "last_order_date": "date/datetime64; latest non-cancelled order on or before as_of; NaT = never",
    "frequency": "int >= 0; orders in the window (NA = 0)",
    "monetary": "Decimal/float; revenue in the window (NA = 0)",
    "margin": "Decimal/float; gross margin (profit contribution) in the window (NA = 0)",
    "frequency_prev": "int >= 0; orders in the window before (NA = 0)",
    "max_overdue_days": "int/float; worst days overdue on a receivable (NA = nothing overdue)",
    "prospects_rating": "int/float 1-5; team's development-prospects rating (NA = not rated)",
    "max_single_order": "Decimal/float; largest single order/contract, money (NA = 0)",
    "cumulative_volume": "Decimal/float; cumulative contracted volume, money (NA = 0)",
    "relationship_type": "str: vendor | preferred_supplier | partner | strategic_alliance (NA/'' = unknown)",
    "decision_maker_contacted": "bool; a decision maker contacted within position.decision_maker_days (NA = False)",
    "wallet_estimate": "Decimal/float; estimated total spend on our kind of product (NA = unknown)",
    **dict.fromkeys(FACTORS, "str A/B/C; account manager's rating (NA/'' = not rated)"),
    "is_group": "bool; group account buying centrally (NA = False)",
    "strategic": "bool; strategic account flag set by the team (NA = False)",
    "referred_customer": "bool; referred a customer who bought (NA = False)",
}
# Optional input: "margin_unknown", int >= 0, orders in the window whose margin the ERP did not
# send (left out of "margin"); the reasons say so when it is above 0.

OUTPUT_COLUMNS = (
    "recency_days",  # Int64, NA = never ordered
    "frequency",  # int64
    "monetary",  # float64
    "r_score",  # int64 1-5
    "f_score",
    "m_score",
    "segment",  # str, rfm.SEGMENTS
    "pareto_class",  # str A/B/C
    "composite",  # float64 0-100
    "badges",  # list[str] of badges.BADGES
    "attractiveness",  # str A/B/C
    "attractiveness_provisional",  # bool
    "attractiveness_score",  # float64 1-3, NaN if nothing rated
    "revenue_rank",  # float64 0-1
    "margin_rank",  # float64 0-1
    "potential_band",  # str high/medium/low
    "relationship",  # str strong/weak
    "position",  # int64 1-6
    "tier",  # str A1..C6
    "category",  # str key/normal/possible/unattractive
    "reasons",  # list[Reason]: a code and its values (REASON_TEXTS)
)


# What `explain` needs besides OUTPUT_COLUMNS (the weakness flags are position.WEAKNESSES).
EXPLANATION_COLUMNS = (
    "factors_rated",  # int64 0-5
    "rank_band",  # str high/medium/low: the band before the wallet estimate raised it
    "wallet_raised",  # bool
    "not_established",  # bool, one per relationship weakness
    "slipping",
    "regressing",
    "new",
    "no_decision_maker_contact",
    "relationship_type",  # str or NA
    "recency",  # float64 days, NaN = never ordered
    "frequency_prev",  # int64
    "wallet",  # float64, 0 = not estimated
    "margin_unknown",  # int64: orders in the window without a margin (0 when the frame has no such column)
)


# Optional in the inputs of `explain` (snapshots older than the margin_unknown column).
_OPTIONAL = ("reasons", "margin_unknown")


def place_accounts(
    frame: pd.DataFrame, as_of: date, config: TieringConfig | None = None, *, explain: bool = True
) -> pd.DataFrame:
    """Scores, tier, category and reasons per account; index and order kept from `frame`.

    explain=False: EXPLANATION_COLUMNS instead of "reasons" (see `explain`)."""
    cfg = config or TieringConfig()
    require_columns(frame, INPUT_COLUMNS)
    if not frame.index.is_unique:
        raise ValueError("index: account ids must be unique")

    recency = recency_days(frame["last_order_date"], as_of)
    frequency = to_count(frame["frequency"], "frequency")
    monetary = to_float(frame["monetary"], "monetary", default=0.0)
    previous = to_count(frame["frequency_prev"], "frequency_prev")
    r, f, m = rfm_scores(recency, frequency, monetary, cfg.rfm)

    index = frame.index
    revenue = pd.Series(monetary, index=index)
    composite = composite_scores(
        revenue, frame["margin"], frame["max_overdue_days"], frame["prospects_rating"], cfg.composite
    )
    flags = badge_flags(frame, cfg.badges)
    attr = attractiveness(frame, cfg.attractiveness)
    pot = potential(revenue, frame["margin"], frame["wallet_estimate"], cfg.position)
    rel = relationship_strength(
        pd.DataFrame(
            {
                "relationship_type": frame["relationship_type"],
                "r_score": r,
                "f_score": f,
                "frequency": frequency,
                "frequency_prev": previous,
                "decision_maker_contacted": frame["decision_maker_contacted"],
            },
            index=index,
        ),
        cfg.position,
    )
    letter = attr["attractiveness"].to_numpy(dtype=object)
    band = pot["potential_band"].to_numpy(dtype=object)
    relationship = rel["relationship"].to_numpy(dtype=object)
    position = positions(band, relationship)
    tier = place_many(letter, position)
    category = np.array([TIER_CATEGORY[t] for t in tier], dtype=object)

    result = pd.DataFrame(
        {
            "recency_days": pd.array(np.where(np.isnan(recency), None, recency), dtype="Int64"),
            "frequency": frequency.astype("int64"),
            "monetary": monetary,
            "r_score": r,
            "f_score": f,
            "m_score": m,
            "segment": segments_for(r, f),
            "pareto_class": pareto_class(revenue, cfg.pareto.cutoffs).to_numpy(dtype=object),
            "composite": composite["composite"].to_numpy(),
            "badges": badges_from_flags(flags).to_numpy(dtype=object),
            "attractiveness": letter,
            "attractiveness_provisional": attr["attractiveness_provisional"].to_numpy(),
            "attractiveness_score": attr["attractiveness_score"].to_numpy(),
            "revenue_rank": pot["revenue_rank"].to_numpy(),
            "margin_rank": pot["margin_rank"].to_numpy(),
            "potential_band": band,
            "relationship": relationship,
            "position": position,
            "tier": tier,
            "category": category,
        },
        index=index,
    )
    detail = pd.concat(
        [
            attr[["factors_rated"]],
            pot[["rank_band", "wallet_raised"]],
            rel.drop(columns="relationship"),
            pd.DataFrame(
                {
                    "relationship_type": to_choice(frame["relationship_type"], "relationship_type", RELATIONSHIP_TYPES),
                    "recency": recency,
                    "frequency_prev": previous,
                    "wallet": to_float(frame["wallet_estimate"], "wallet_estimate", default=0.0),
                    "margin_unknown": (
                        to_count(frame["margin_unknown"], "margin_unknown") if "margin_unknown" in frame else 0
                    ),
                },
                index=index,
            ),
        ],
        axis=1,
    )
    if not explain:
        return pd.concat([result, detail[list(EXPLANATION_COLUMNS)]], axis=1)
    result["reasons"] = _reasons(result, detail, cfg)
    return result


def explain(placed: pd.DataFrame, config: TieringConfig | None = None) -> list[list[Reason]]:
    """The reasons of rows holding OUTPUT_COLUMNS (reasons aside) and EXPLANATION_COLUMNS,
    exactly as `place_accounts` writes them."""
    require_columns(placed, [c for c in (*OUTPUT_COLUMNS, *EXPLANATION_COLUMNS) if c not in _OPTIONAL])
    return _reasons(placed, placed, config or TieringConfig())


def _reasons(out: pd.DataFrame, detail: pd.DataFrame, cfg: TieringConfig) -> list[list[Reason]]:
    """The reasons per account as `Reason`s (a code and its values; REASON_TEXTS): the tier,
    then one per rule that placed it. The Django layer (`tiering.explanations`) writes them
    as sentences in the reader's language.

    Each rule builds only the rows it applies to, from plain numpy columns handed to `map`
    (no per-row pandas access): this is the only per-row Python in the pipeline.
    """
    pos = cfg.position
    kind = detail["relationship_type"].to_numpy(dtype=object)
    kind = np.where(pd.isna(kind), "", kind)
    letter = out["attractiveness"].to_numpy(dtype=object)
    score = out["attractiveness_score"].to_numpy()
    provisional = out["attractiveness_provisional"].to_numpy(dtype=bool)
    assessed = ~np.isnan(score)
    r, f, m = out["r_score"].to_numpy(), out["f_score"].to_numpy(), out["m_score"].to_numpy()
    frequency, previous = out["frequency"].to_numpy(), detail["frequency_prev"].to_numpy()
    recency = detail["recency"].to_numpy()
    flag = {name: detail[name].to_numpy(dtype=bool) for name in WEAKNESSES + ("wallet_raised",)}
    unknown = (
        detail["margin_unknown"].fillna(0).to_numpy(dtype="int64")
        if "margin_unknown" in detail
        else np.zeros(len(out), dtype="int64")
    )

    # The tier reason depends on the tier alone: 18 of them, looked up (shared: never mutated).
    reasons = [[_TIER_REASON[t]] for t in out["tier"].tolist()]
    _add(
        reasons,
        assessed & ~provisional,
        lambda a, s: Reason("attractiveness", {"letter": a, "score": s}),
        letter,
        score,
    )
    _add(
        reasons,
        assessed & provisional,
        lambda a, k, s: Reason(
            "attractiveness_provisional", {"letter": a, "rated": k, "factors": len(FACTORS), "score": s}
        ),
        letter,
        detail["factors_rated"].to_numpy(),
        score,
    )
    _add(
        reasons,
        ~assessed,
        lambda a, t: (
            Reason("attractiveness_by_relationship", {"letter": a, "kind": t})
            if a == "A"
            else Reason("attractiveness_default", {"letter": a})
        ),
        letter,
        kind,
    )
    _add(
        reasons,
        np.ones(len(out), dtype=bool),
        lambda r_, f_, m_, s, n, v: Reason(
            "rfm", {"r": r_, "f": f_, "m": m_, "segment": s, "purchases": n, "monetary": v}
        ),
        r,
        f,
        m,
        out["segment"].to_numpy(dtype=object),
        frequency,
        out["monetary"].to_numpy(),
    )
    _add(
        reasons,
        np.ones(len(out), dtype=bool),
        lambda b, rr, mr: Reason("potential", {"band": b, "revenue_rank": rr, "margin_rank": mr}),
        detail["rank_band"].to_numpy(dtype=object),
        out["revenue_rank"].to_numpy(),
        out["margin_rank"].to_numpy(),
    )
    _add(
        reasons,
        unknown > 0,
        lambda n: Reason("margin_unknown", {"orders": n}),
        unknown,
    )
    _add(
        reasons,
        flag["wallet_raised"],
        lambda b, w, v: Reason(
            "wallet_raised", {"band": b, "wallet": w, "multiple": pos.wallet_multiple, "revenue": v}
        ),
        out["potential_band"].to_numpy(dtype=object),
        detail["wallet"].to_numpy(),
        out["monetary"].to_numpy(),
    )
    _add(
        reasons,
        out["relationship"].to_numpy() == "strong",
        lambda t, r_, f_, p, n: Reason("relationship_strong", {"kind": t, "r": r_, "f": f_, "before": p, "now": n}),
        kind,
        r,
        f,
        previous,
        frequency,
    )
    _add(
        reasons,
        flag["not_established"],
        lambda t, f_: Reason("not_established", {"kind": t, "f": f_, "min_f": pos.established_min_f}),
        kind,
        f,
    )
    _add(
        reasons,
        flag["slipping"],
        # d != d is the cheap scalar NaN test.
        lambda d, r_: Reason("never_ordered", {"r": r_}) if d != d else Reason("slipping", {"days": d, "r": r_}),
        recency,
        r,
    )
    _add(
        reasons,
        flag["regressing"],
        lambda p, n: Reason("regressing", {"before": p, "now": n}),
        previous,
        frequency,
    )
    new, no_orders = Reason("new", {}), Reason("no_orders", {})
    _add(reasons, flag["new"], lambda n: new if n > 0 else no_orders, frequency)
    no_contact = Reason("no_decision_maker_contact", {"days": pos.decision_maker_days})
    _add(reasons, flag["no_decision_maker_contact"], lambda _: no_contact, frequency)
    return reasons


WEAKNESSES = ("not_established", "slipping", "regressing", "new", "no_decision_maker_contact")


class Reason(NamedTuple):
    """Why an account sits where it does: `code` names a REASON_TEXTS entry, `params` its
    values (codes such as a category or relationship type stay codes; numbers stay numbers).
    A tuple, so it is stored as JSON `[code, params]` as it is."""

    code: str
    params: dict[str, Any]


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogue (makemessages finds this name) and
    returns it unchanged: the domain stays free of Django."""
    return message


# The English wording of every reason, %(name)s placeholders filled from the params (the
# Django layer translates it and turns codes into labels and numbers into local format first).
REASON_TEXTS = {
    "tier": gettext_noop("Tier %(tier)s (%(category)s): attractiveness %(letter)s, position %(position)s"),
    "attractiveness": gettext_noop("Attractiveness %(letter)s: assessed score %(score)s"),
    "attractiveness_provisional": gettext_noop(
        "Attractiveness %(letter)s (provisional): %(rated)s of %(factors)s factors rated, score %(score)s"
    ),
    "attractiveness_by_relationship": gettext_noop(
        "Attractiveness %(letter)s (provisional): not assessed, relationship: %(kind)s"
    ),
    "attractiveness_default": gettext_noop("Attractiveness %(letter)s (provisional): not assessed, default"),
    "rfm": gettext_noop(
        "RFM R %(r)s, F %(f)s, M %(m)s (%(segment)s): %(purchases)s purchases, "
        "revenue %(monetary)s net of credit notes and returns"
    ),
    "potential": gettext_noop("Potential %(band)s: revenue rank %(revenue_rank)s, margin rank %(margin_rank)s"),
    "margin_unknown": gettext_noop(
        "Margin unknown for %(orders)s orders in the window: the composite and the potential rank "
        "the known margins only"
    ),
    "wallet_raised": gettext_noop(
        "Potential raised to %(band)s: wallet estimate %(wallet)s is at least %(multiple)s× revenue %(revenue)s"
    ),
    "relationship_strong": gettext_noop(
        "Relationship strong: %(kind)s, R %(r)s, F %(f)s, orders %(before)s then %(now)s, decision maker contacted"
    ),
    "not_established": gettext_noop("Relationship weak: not established (%(kind)s, F %(f)s below %(min_f)s)"),
    "never_ordered": gettext_noop("Relationship weak: never ordered (R %(r)s)"),
    "slipping": gettext_noop("Relationship weak: last order %(days)s days ago (R %(r)s)"),
    "regressing": gettext_noop("Relationship weak: frequency fell from %(before)s to %(now)s"),
    "new": gettext_noop("Relationship weak: new, no orders in the previous window"),
    "no_orders": gettext_noop("Relationship weak: no orders in this or the previous window"),
    "no_decision_maker_contact": gettext_noop("Relationship weak: decision maker not contacted in %(days)s days"),
    "pinned": gettext_noop("Pinned to %(tier)s by %(by)s until %(until)s: %(reason)s"),
    "pin_removed": gettext_noop("Pin removed: computed tier %(tier)s"),
}

_TIER_REASON = {
    tier: Reason("tier", {"tier": tier, "category": TIER_CATEGORY[tier], "letter": tier[0], "position": int(tier[1])})
    for tier in TIERS
}


def _add(reasons: list[list[Reason]], mask: np.ndarray, text: Callable[..., Reason], *columns: np.ndarray) -> None:
    """Append text(*row values) to the reasons of the rows where mask is set."""
    rows = np.flatnonzero(mask)
    values = [np.asarray(column)[rows].tolist() for column in columns]
    for i, sentence in zip(rows.tolist(), map(text, *values), strict=True):
        reasons[i].append(sentence)
