from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiering.domain.config import FACTORS, RELATIONSHIP_TYPES, TieringConfig
from tiering.domain.matrix import TIER_CATEGORY, TIERS
from tiering.domain.pipeline import (
    EXPLANATION_COLUMNS,
    INPUT_COLUMNS,
    OUTPUT_COLUMNS,
    REASON_TEXTS,
    Reason,
    explain,
    place_accounts,
)
from tiering.domain.rfm import SEGMENTS

AS_OF = date(2025, 6, 30)
NA = None

# A small named world. Factor ratings in FACTORS order.
WORLD = {
    # the key account: recent, frequent, big, partner, assessed A
    "acme": {
        "last_order_date": date(2025, 6, 25),
        "frequency": 12,
        "monetary": 500_000.0,
        "margin": 150_000.0,
        "frequency_prev": 10,
        "max_overdue_days": 0,
        "prospects_rating": 5,
        "max_single_order": 240_000,
        "cumulative_volume": 4_000_000,
        "relationship_type": "partner",
        "decision_maker_contacted": True,
        "wallet_estimate": NA,
        "ratings": ("A", "A", "A", "B", "B"),
        "is_group": False,
        "strategic": True,
        "referred_customer": False,
    },
    # a big vendor account that is buying less and less
    "bolt": {
        "last_order_date": date(2025, 5, 1),
        "frequency": 5,
        "monetary": 200_000.0,
        "margin": 30_000.0,
        "frequency_prev": 12,
        "max_overdue_days": 45,
        "prospects_rating": NA,
        "max_single_order": 120_000,
        "cumulative_volume": 900_000,
        "relationship_type": "vendor",
        "decision_maker_contacted": True,
        "wallet_estimate": NA,
        "ratings": ("B",) * 5,
        "is_group": False,
        "strategic": False,
        "referred_customer": False,
    },
    # new this year, small, but with a big wallet; half assessed
    "cora": {
        "last_order_date": date(2025, 6, 15),
        "frequency": 3,
        "monetary": 50_000.0,
        "margin": 20_000.0,
        "frequency_prev": 0,
        "max_overdue_days": NA,
        "prospects_rating": 3,
        "max_single_order": 40_000,
        "cumulative_volume": 200_000,
        "relationship_type": "preferred_supplier",
        "decision_maker_contacted": False,
        "wallet_estimate": 400_000.0,
        "ratings": ("A", NA, "B", NA, NA),
        "is_group": False,
        "strategic": False,
        "referred_customer": False,
    },
    # stopped buying over a year ago, assessed C
    "dune": {
        "last_order_date": date(2024, 3, 1),
        "frequency": 0,
        "monetary": 0.0,
        "margin": 0.0,
        "frequency_prev": 2,
        "max_overdue_days": 100,
        "prospects_rating": 1,
        "max_single_order": 0,
        "cumulative_volume": 0,
        "relationship_type": "vendor",
        "decision_maker_contacted": False,
        "wallet_estimate": NA,
        "ratings": ("C",) * 5,
        "is_group": False,
        "strategic": False,
        "referred_customer": False,
    },
    # a prospect: never ordered, nothing known
    "echo": {
        "last_order_date": NA,
        "frequency": 0,
        "monetary": 0.0,
        "margin": 0.0,
        "frequency_prev": 0,
        "max_overdue_days": NA,
        "prospects_rating": NA,
        "max_single_order": 0,
        "cumulative_volume": 0,
        "relationship_type": NA,
        "decision_maker_contacted": NA,
        "wallet_estimate": NA,
        "ratings": (NA,) * 5,
        "is_group": NA,
        "strategic": NA,
        "referred_customer": NA,
    },
    # a partner nobody has assessed, whose last order is the oldest of the buyers
    "fjord": {
        "last_order_date": date(2025, 4, 1),
        "frequency": 8,
        "monetary": 100_000.0,
        "margin": 40_000.0,
        "frequency_prev": 8,
        "max_overdue_days": 10,
        "prospects_rating": 4,
        "max_single_order": 200_000,
        "cumulative_volume": 1_000_000,
        "relationship_type": "partner",
        "decision_maker_contacted": True,
        "wallet_estimate": NA,
        "ratings": (NA,) * 5,
        "is_group": False,
        "strategic": False,
        "referred_customer": False,
    },
}


def world_frame(world: dict = WORLD) -> pd.DataFrame:
    rows = {}
    for account_id, account in world.items():
        row = {k: v for k, v in account.items() if k != "ratings"}
        row.update(dict(zip(FACTORS, account["ratings"], strict=True)))
        rows[account_id] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "account_id"
    return frame


@pytest.fixture(scope="module")
def placed() -> pd.DataFrame:
    return place_accounts(world_frame(), AS_OF)


def column(placed: pd.DataFrame, name: str) -> dict:
    return placed[name].to_dict()


def test_it_returns_the_documented_columns_in_input_order(placed):
    assert tuple(placed.columns) == OUTPUT_COLUMNS
    assert placed.index.tolist() == list(WORLD)


def test_rfm(placed):
    assert placed["recency_days"].tolist() == [5, 60, 15, 486, pd.NA, 90]
    # four buyers, n - 1 = 3: min ranks 1, 2, 3, 4 score 1, 2, 4, 5
    assert column(placed, "r_score") == {"acme": 5, "bolt": 2, "cora": 4, "dune": 1, "echo": 1, "fjord": 1}
    assert column(placed, "f_score") == {"acme": 5, "bolt": 2, "cora": 1, "dune": 1, "echo": 1, "fjord": 4}
    assert column(placed, "m_score") == {"acme": 5, "bolt": 4, "cora": 1, "dune": 1, "echo": 1, "fjord": 2}
    assert column(placed, "segment") == {
        "acme": "Champions",
        "bolt": "Hibernating",
        "cora": "Promising",
        "dune": "Lost",
        "echo": "Lost",
        "fjord": "At risk",
    }


def test_pareto_and_composite(placed):
    # shares before: acme 0, bolt 0.59, fjord 0.82, cora 0.94
    assert column(placed, "pareto_class") == {
        "acme": "A",
        "bolt": "A",
        "cora": "B",
        "dune": "C",
        "echo": "C",
        "fjord": "B",
    }
    assert placed["composite"].tolist() == pytest.approx([100.0, 155 / 3, 22.5, 0.0, 22.5, 80 / 3 + 31.25])


def test_badges(placed):
    assert column(placed, "badges") == {
        "acme": ["quality", "high_value", "strategic"],
        "bolt": ["potential"],
        "cora": [],
        "dune": [],
        "echo": [],
        "fjord": ["quality", "high_value"],
    }


def test_attractiveness_potential_and_relationship(placed):
    assert column(placed, "attractiveness") == {
        "acme": "A",
        "bolt": "B",
        "cora": "A",
        "dune": "C",
        "echo": "B",
        "fjord": "A",
    }
    assert placed["attractiveness_provisional"].tolist() == [False, False, True, False, True, True]
    assert placed["revenue_rank"].tolist() == pytest.approx([1, 2 / 3, 0, 0, 0, 1 / 3])
    assert placed["margin_rank"].tolist() == pytest.approx([1, 1 / 3, 0, 0, 0, 2 / 3])
    assert placed["potential_band"].tolist() == ["high", "medium", "medium", "low", "low", "medium"]
    assert placed["relationship"].tolist() == ["strong", "weak", "weak", "weak", "weak", "weak"]


def test_tiers_and_categories(placed):
    assert column(placed, "position") == {"acme": 1, "bolt": 4, "cora": 4, "dune": 6, "echo": 6, "fjord": 4}
    assert column(placed, "tier") == {
        "acme": "A1",
        "bolt": "B4",
        "cora": "A4",
        "dune": "C6",
        "echo": "B6",
        "fjord": "A4",
    }
    assert column(placed, "category") == {
        "acme": "key",
        "bolt": "possible",
        "cora": "possible",
        "dune": "unattractive",
        "echo": "unattractive",
        "fjord": "possible",
    }


REASONS = {
    "acme": [
        "Tier A1 (key): attractiveness A, position 1",
        "Attractiveness A: assessed score 2.60",
        "RFM R 5, F 5, M 5 (Champions): 12 purchases, revenue 500,000 net of credit notes and returns",
        "Potential high: revenue rank 1.00, margin rank 1.00",
        "Relationship strong: partner, R 5, F 5, orders 10 then 12, decision maker contacted",
    ],
    "bolt": [
        "Tier B4 (possible): attractiveness B, position 4",
        "Attractiveness B: assessed score 2.00",
        "RFM R 2, F 2, M 4 (Hibernating): 5 purchases, revenue 200,000 net of credit notes and returns",
        "Potential medium: revenue rank 0.67, margin rank 0.33",
        "Relationship weak: not established (vendor, F 2 below 3)",
        "Relationship weak: last order 60 days ago (R 2)",
        "Relationship weak: frequency fell from 12 to 5",
    ],
    "cora": [
        "Tier A4 (possible): attractiveness A, position 4",
        "Attractiveness A (provisional): 2 of 5 factors rated, score 2.50",
        "RFM R 4, F 1, M 1 (Promising): 3 purchases, revenue 50,000 net of credit notes and returns",
        "Potential low: revenue rank 0.00, margin rank 0.00",
        "Potential raised to medium: wallet estimate 400,000 is at least 3× revenue 50,000",
        "Relationship weak: new, no orders in the previous window",
        "Relationship weak: decision maker not contacted in 90 days",
    ],
    "dune": [
        "Tier C6 (unattractive): attractiveness C, position 6",
        "Attractiveness C: assessed score 1.00",
        "RFM R 1, F 1, M 1 (Lost): 0 purchases, revenue 0 net of credit notes and returns",
        "Potential low: revenue rank 0.00, margin rank 0.00",
        "Relationship weak: not established (vendor, F 1 below 3)",
        "Relationship weak: last order 486 days ago (R 1)",
        "Relationship weak: frequency fell from 2 to 0",
        "Relationship weak: decision maker not contacted in 90 days",
    ],
    "echo": [
        "Tier B6 (unattractive): attractiveness B, position 6",
        "Attractiveness B (provisional): not assessed, default",
        "RFM R 1, F 1, M 1 (Lost): 0 purchases, revenue 0 net of credit notes and returns",
        "Potential low: revenue rank 0.00, margin rank 0.00",
        "Relationship weak: not established (no relationship type, F 1 below 3)",
        "Relationship weak: never ordered (R 1)",
        "Relationship weak: no orders in this or the previous window",
        "Relationship weak: decision maker not contacted in 90 days",
    ],
    "fjord": [
        "Tier A4 (possible): attractiveness A, position 4",
        "Attractiveness A (provisional): not assessed, relationship: partner",
        "RFM R 1, F 4, M 2 (At risk): 8 purchases, revenue 100,000 net of credit notes and returns",
        "Potential medium: revenue rank 0.33, margin rank 0.67",
        "Relationship weak: last order 90 days ago (R 1)",
    ],
}


_FIXED = {"score": "{:.2f}", "revenue_rank": "{:.2f}", "margin_rank": "{:.2f}", "wallet": "{:,.0f}"}
_FIXED |= {
    "multiple": "{:g}",
    "revenue": "{:,.0f}",
    "monetary": "{:,.0f}",
    "days": "{:.0f}",
    "before": "{:.0f}",
    "now": "{:.0f}",
}


def plain(reasons: list[Reason]) -> list[str]:
    """The reasons in the domain's English with codes as they are (the Django layer shows
    labels and local numbers: tiering/tests/test_explanations.py)."""
    return [
        REASON_TEXTS[code]
        % {
            k: _FIXED[k].format(v) if k in _FIXED else (v or "no relationship type" if k == "kind" else v)
            for k, v in params.items()
        }
        for code, params in reasons
    ]


@pytest.mark.parametrize("account_id", list(REASONS))
def test_reasons_explain_each_rule_that_placed_the_account(placed, account_id):
    assert plain(placed.loc[account_id, "reasons"]) == REASONS[account_id]


def test_orders_without_a_margin_are_a_reason():
    # given cora's two orders in the window, one sent without a margin
    frame = world_frame()
    frame["margin_unknown"] = [0, 0, 1, 0, 0, 0]

    # when
    placed = place_accounts(frame, AS_OF)

    # then cora says so, right after its potential; the others do not
    assert plain(placed.loc["cora", "reasons"])[4] == (
        "Margin unknown for 1 orders in the window: the composite and the potential rank the known margins only"
    )
    assert [n for n in placed.index if any(code == "margin_unknown" for code, _ in placed.loc[n, "reasons"])] == [
        "cora"
    ]


def test_output_dtypes(placed):
    assert placed["recency_days"].dtype == "Int64"
    for name in ("frequency", "r_score", "f_score", "m_score", "position"):
        assert placed[name].dtype == "int64", name
    for name in ("monetary", "composite", "revenue_rank", "margin_rank", "attractiveness_score"):
        assert placed[name].dtype == "float64", name
    assert placed["attractiveness_provisional"].dtype == bool


def test_decimal_money_gives_the_same_result(placed):
    frame = world_frame()
    for name in ("monetary", "margin", "wallet_estimate"):
        frame[name] = [None if pd.isna(v) else Decimal(str(v)) for v in frame[name]]

    result = place_accounts(frame, AS_OF)

    pd.testing.assert_frame_equal(result, placed)


def test_datetime64_dates_give_the_same_result(placed):
    frame = world_frame()
    frame["last_order_date"] = pd.to_datetime(frame["last_order_date"])

    pd.testing.assert_frame_equal(place_accounts(frame, AS_OF), placed)


def test_the_config_changes_the_placement():
    config = TieringConfig.from_dict({"position": {"min_r": 1, "decision_maker_days": 30}})

    result = place_accounts(world_frame(), AS_OF, config)

    # fjord's only weakness was R 1
    assert result.loc["fjord", "tier"] == "A3"
    assert plain(result.loc["fjord", "reasons"])[-1] == (
        "Relationship strong: partner, R 1, F 4, orders 8 then 8, decision maker contacted"
    )
    assert plain(result.loc["cora", "reasons"])[-1] == "Relationship weak: decision maker not contacted in 30 days"


def test_an_empty_frame_gives_an_empty_result():
    result = place_accounts(world_frame().iloc[:0], AS_OF)

    assert tuple(result.columns) == OUTPUT_COLUMNS
    assert len(result) == 0


def test_it_names_every_missing_column():
    frame = world_frame().drop(columns=["margin", "leaning"])

    with pytest.raises(ValueError, match="missing input columns: margin, leaning"):
        place_accounts(frame, AS_OF)


def test_it_refuses_duplicate_account_ids():
    frame = pd.concat([world_frame(), world_frame().iloc[:1]])

    with pytest.raises(ValueError, match="account ids must be unique"):
        place_accounts(frame, AS_OF)


def test_it_documents_every_input_column():
    assert set(INPUT_COLUMNS) == set(world_frame().columns)


# Property tests over random frames.

maybe = st.one_of(st.none(), st.booleans())
rating = st.sampled_from(["A", "B", "C", None, ""])
account = st.fixed_dictionaries(
    {
        "last_order_days": st.one_of(st.none(), st.integers(min_value=0, max_value=2000)),
        "frequency": st.integers(min_value=0, max_value=50),
        "monetary": st.floats(min_value=-1e3, max_value=1e7, allow_nan=False),
        "margin": st.one_of(st.none(), st.floats(min_value=-1e5, max_value=1e6, allow_nan=False)),
        "frequency_prev": st.one_of(st.none(), st.integers(min_value=0, max_value=50)),
        "max_overdue_days": st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
        "prospects_rating": st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
        "max_single_order": st.one_of(st.none(), st.floats(min_value=0, max_value=1e7, allow_nan=False)),
        "cumulative_volume": st.one_of(st.none(), st.floats(min_value=0, max_value=1e7, allow_nan=False)),
        "relationship_type": st.sampled_from([None, "", *RELATIONSHIP_TYPES]),
        "decision_maker_contacted": maybe,
        "wallet_estimate": st.one_of(st.none(), st.floats(min_value=0, max_value=1e8, allow_nan=False)),
        **dict.fromkeys(FACTORS, rating),
        "is_group": maybe,
        "strategic": maybe,
        "referred_customer": maybe,
    }
)


def random_frame(accounts: list[dict]) -> pd.DataFrame:
    rows = []
    for a in accounts:
        row = {k: v for k, v in a.items() if k != "last_order_days"}
        days = a["last_order_days"]
        row["last_order_date"] = None if days is None else AS_OF - timedelta(days=days)
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(range(1, len(rows) + 1), name="account_id"), columns=list(INPUT_COLUMNS))


@settings(database=None, max_examples=150, deadline=None)
@given(accounts=st.lists(account, min_size=1, max_size=40), mode=st.sampled_from(["quintile", "thresholds"]))
def test_every_account_gets_exactly_one_of_the_18_tiers(accounts, mode):
    config = TieringConfig.from_dict({"rfm": {"mode": mode}})

    result = place_accounts(random_frame(accounts), AS_OF, config)

    assert len(result) == len(accounts)
    assert result["tier"].isin(TIERS).all()
    assert (result["category"] == result["tier"].map(TIER_CATEGORY)).all()
    assert result["segment"].isin(SEGMENTS).all()
    assert result["composite"].between(0, 100).all()
    assert all(
        reasons[0]
        == Reason("tier", {"tier": tier, "category": TIER_CATEGORY[tier], "letter": tier[0], "position": int(tier[1])})
        for reasons, tier in zip(result.reasons, result.tier, strict=True)
    )


@settings(database=None, max_examples=50, deadline=None)
@given(accounts=st.lists(account, min_size=1, max_size=30), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_row_order_does_not_change_any_result(accounts, seed):
    frame = random_frame(accounts)
    shuffled = frame.iloc[np.random.default_rng(seed).permutation(len(frame))]

    pd.testing.assert_frame_equal(place_accounts(shuffled, AS_OF).loc[frame.index], place_accounts(frame, AS_OF))


@settings(database=None, max_examples=50, deadline=None)
@given(accounts=st.lists(account, min_size=1, max_size=30), mode=st.sampled_from(["quintile", "thresholds"]))
def test_reasons_written_later_from_the_explanation_columns_are_the_same(accounts, mode):
    config = TieringConfig.from_dict({"rfm": {"mode": mode}})
    frame = random_frame(accounts)

    quiet = place_accounts(frame, AS_OF, config, explain=False)

    assert "reasons" not in quiet.columns
    assert set(EXPLANATION_COLUMNS) <= set(quiet.columns)
    assert explain(quiet, config) == list(place_accounts(frame, AS_OF, config)["reasons"])


@given(accounts=st.lists(account, min_size=1, max_size=40))
@settings(max_examples=30, deadline=None)
def test_every_reason_code_has_an_english_text_its_values_fill(accounts):
    # given any world, some of whose orders lack a margin
    frame = random_frame(accounts)
    frame["margin_unknown"] = np.arange(len(frame)) % 3

    # when
    reasons = [r for row in place_accounts(frame, AS_OF)["reasons"] for r in row]

    # then every code names a text whose placeholders are exactly the reason's values
    for code, params in reasons:
        assert REASON_TEXTS[code] % params
        assert sorted(params) == sorted(set(__import__("re").findall(r"%\((\w+)\)s", REASON_TEXTS[code])))
    assert {code for code, _ in reasons} >= {"tier", "rfm", "potential"}
