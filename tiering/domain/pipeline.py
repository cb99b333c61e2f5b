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
    "reasons",  # list[str], English
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
)


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


def explain(placed: pd.DataFrame, config: TieringConfig | None = None) -> list[list[str]]:
    """The reasons of rows holding OUTPUT_COLUMNS (reasons aside) and EXPLANATION_COLUMNS,
    exactly as `place_accounts` writes them."""
    require_columns(placed, [c for c in (*OUTPUT_COLUMNS, *EXPLANATION_COLUMNS) if c != "reasons"])
    return _reasons(placed, placed, config or TieringConfig())


def _reasons(out: pd.DataFrame, detail: pd.DataFrame, cfg: TieringConfig) -> list[list[str]]:
    """Short English sentences per account: the tier, then one per rule that placed it.

    Each rule formats only the rows it applies to, from plain numpy columns handed to
    `map` (no per-row pandas access): this is the only per-row Python in the pipeline.
    """
    pos = cfg.position
    kind = np.where(pd.isna(detail["relationship_type"]), "no relationship type", detail["relationship_type"])
    letter = out["attractiveness"].to_numpy(dtype=object)
    score = out["attractiveness_score"].to_numpy()
    provisional = out["attractiveness_provisional"].to_numpy(dtype=bool)
    assessed = ~np.isnan(score)
    r, f = out["r_score"].to_numpy(), out["f_score"].to_numpy()
    frequency, previous = out["frequency"].to_numpy(), detail["frequency_prev"].to_numpy()
    recency = detail["recency"].to_numpy()
    flag = {name: detail[name].to_numpy(dtype=bool) for name in WEAKNESSES + ("wallet_raised",)}

    # The tier sentence depends on the tier alone: 18 strings, looked up.
    reasons = [[_TIER_REASON[t]] for t in out["tier"].tolist()]
    _add(
        reasons,
        assessed & ~provisional,
        lambda a, s: f"Attractiveness {a}: assessed score {s:.2f}",
        letter,
        score,
    )
    _add(
        reasons,
        assessed & provisional,
        lambda a, k, s: f"Attractiveness {a} (provisional): {k} of {len(FACTORS)} factors rated, score {s:.2f}",
        letter,
        detail["factors_rated"].to_numpy(),
        score,
    )
    _add(
        reasons,
        ~assessed,
        lambda a, t: (
            f"Attractiveness {a} (provisional): not assessed, " + (f"{t} relationship" if a == "A" else "default")
        ),
        letter,
        kind,
    )
    _add(
        reasons,
        np.ones(len(out), dtype=bool),
        lambda b, rr, mr: f"Potential {b}: revenue rank {rr:.2f}, margin rank {mr:.2f}",
        detail["rank_band"].to_numpy(dtype=object),
        out["revenue_rank"].to_numpy(),
        out["margin_rank"].to_numpy(),
    )
    _add(
        reasons,
        flag["wallet_raised"],
        lambda b, w, m: (
            f"Potential raised to {b}: wallet estimate {w:,.0f} is at least {pos.wallet_multiple:g}x revenue {m:,.0f}"
        ),
        out["potential_band"].to_numpy(dtype=object),
        detail["wallet"].to_numpy(),
        out["monetary"].to_numpy(),
    )
    _add(
        reasons,
        out["relationship"].to_numpy() == "strong",
        lambda t, r_, f_, p, n: (
            f"Relationship strong: {t}, R {r_}, F {f_}, orders {p:.0f} then {n}, decision maker contacted"
        ),
        kind,
        r,
        f,
        previous,
        frequency,
    )
    _add(
        reasons,
        flag["not_established"],
        lambda t, f_: f"Relationship weak: not established ({t}, F {f_} below {pos.established_min_f})",
        kind,
        f,
    )
    _add(
        reasons,
        flag["slipping"],
        # d != d is the cheap scalar NaN test.
        lambda d, r_: (
            f"Relationship weak: never ordered (R {r_})"
            if d != d
            else f"Relationship weak: last order {d:.0f} days ago (R {r_})"
        ),
        recency,
        r,
    )
    _add(
        reasons,
        flag["regressing"],
        lambda p, n: f"Relationship weak: frequency fell from {p:.0f} to {n}",
        previous,
        frequency,
    )
    _add(
        reasons,
        flag["new"],
        lambda n: (
            "Relationship weak: new, no orders in the previous window"
            if n > 0
            else "Relationship weak: no orders in this or the previous window"
        ),
        frequency,
    )
    no_contact = f"Relationship weak: decision maker not contacted in {pos.decision_maker_days} days"
    _add(reasons, flag["no_decision_maker_contact"], lambda _: no_contact, frequency)
    return reasons


WEAKNESSES = ("not_established", "slipping", "regressing", "new", "no_decision_maker_contact")

_TIER_REASON = {
    tier: f"Tier {tier} ({TIER_CATEGORY[tier]}): attractiveness {tier[0]}, position {tier[1]}" for tier in TIERS
}


def _add(reasons: list[list[str]], mask: np.ndarray, text: Callable[..., str], *columns: np.ndarray) -> None:
    """Append text(*row values) to the reasons of the rows where mask is set."""
    rows = np.flatnonzero(mask)
    values = [np.asarray(column)[rows].tolist() for column in columns]
    for i, sentence in zip(rows.tolist(), map(text, *values), strict=True):
        reasons[i].append(sentence)
