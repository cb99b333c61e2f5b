from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiering.domain import rfm
from tiering.domain.config import RfmConfig
from tiering.domain.rfm import SEGMENT_TABLE, SEGMENTS, compute_rfm, segment_for, segment_table_markdown

AS_OF = date(2025, 6, 30)
THRESHOLDS = RfmConfig(mode="thresholds")


def frame(rows: dict[str, tuple]) -> pd.DataFrame:
    """rows: id -> (last_order_date, frequency, monetary)."""
    return pd.DataFrame.from_dict(rows, orient="index", columns=["last_order_date", "frequency", "monetary"])


def test_quintile_scores_rank_only_accounts_with_window_orders():
    # given five buyers (n - 1 = 4), two of them tied, and two accounts without window orders
    accounts = frame(
        {
            "a": (date(2025, 6, 20), 10, 5000.0),
            "b": (date(2025, 6, 10), 4, 1000.0),
            "c": (date(2025, 6, 10), 4, 1000.0),
            "d": (date(2025, 3, 2), 1, 300.0),
            "e": (date(2024, 12, 31), 2, 1000.0),
            "f": (date(2023, 1, 1), 0, 0.0),
            "g": (None, 0, 0.0),
        }
    )

    # when
    result = compute_rfm(accounts, AS_OF)

    # then
    assert result["recency_days"].tolist() == [10, 20, 20, 120, 181, 911, pd.NA]
    # ties share the higher rank: b = c take rank 4 of 5 (R, F, M); b = c = e rank 4 on M
    assert result["r_score"].tolist() == [5, 4, 4, 2, 1, 1, 1]
    assert result["f_score"].tolist() == [5, 4, 4, 1, 2, 1, 1]
    assert result["m_score"].tolist() == [5, 4, 4, 1, 4, 1, 1]
    assert [segment_for(r, f) for r, f in zip(result.r_score, result.f_score, strict=True)] == [
        "Champions",
        "Loyal",
        "Loyal",
        "Hibernating",
        "Hibernating",
        "Lost",
        "Lost",
    ]


def test_it_keeps_the_input_columns_and_does_not_mutate_them():
    accounts = frame({"a": (date(2025, 6, 1), 1, 10.0)})

    result = compute_rfm(accounts, AS_OF)

    assert list(result.columns) == [
        "last_order_date",
        "frequency",
        "monetary",
        "recency_days",
        "r_score",
        "f_score",
        "m_score",
    ]
    assert list(accounts.columns) == ["last_order_date", "frequency", "monetary"]


def test_a_lone_buyer_scores_five():
    result = compute_rfm(frame({"a": (date(2025, 6, 1), 1, 10.0), "b": (None, 0, 0.0)}), AS_OF)

    assert result[["r_score", "f_score", "m_score"]].to_numpy().tolist() == [[5, 5, 5], [1, 1, 1]]


@pytest.mark.parametrize(
    ("days", "r_score"),
    [(0, 5), (30, 5), (31, 4), (90, 4), (91, 3), (180, 3), (181, 2), (365, 2), (366, 1)],
)
def test_threshold_recency_boundaries(days, r_score):
    result = compute_rfm(frame({"a": (AS_OF - timedelta(days=days), 1, 1.0)}), AS_OF, THRESHOLDS)

    assert result["r_score"].tolist() == [r_score]


@pytest.mark.parametrize(("orders", "f_score"), [(1, 1), (2, 2), (3, 2), (4, 3), (7, 3), (8, 4), (15, 4), (16, 5)])
def test_threshold_frequency_boundaries(orders, f_score):
    result = compute_rfm(frame({"a": (AS_OF, orders, 1.0)}), AS_OF, THRESHOLDS)

    assert result["f_score"].tolist() == [f_score]


@pytest.mark.parametrize(
    ("amount", "m_score"),
    [
        (Decimal("9999.99"), 1),
        (Decimal("10000.00"), 2),
        (49_999.99, 2),
        (50_000, 3),
        (200_000, 4),
        (999_999, 4),
        (1_000_000, 5),
    ],
)
def test_threshold_monetary_boundaries_accept_decimals(amount, m_score):
    accounts = frame({"a": (AS_OF, 1, amount)}).astype({"monetary": object})

    result = compute_rfm(accounts, AS_OF, THRESHOLDS)

    assert result["m_score"].tolist() == [m_score]


@pytest.mark.parametrize("config", [RfmConfig(), THRESHOLDS])
def test_an_account_without_window_orders_scores_one_however_recent(config):
    accounts = frame({"recent": (AS_OF - timedelta(days=5), 0, 0.0), "buyer": (AS_OF, 3, 100.0)})

    result = compute_rfm(accounts, AS_OF, config)

    assert result.loc["recent", ["r_score", "f_score", "m_score"]].tolist() == [1, 1, 1]
    assert result.loc["recent", "recency_days"] == 5


def test_a_buyer_without_a_last_order_date_scores_r_one():
    result = compute_rfm(frame({"a": (None, 2, 10.0)}), AS_OF, THRESHOLDS)

    assert result["r_score"].tolist() == [1]


def test_datetimes_count_whole_calendar_days():
    accounts = frame({"a": (pd.Timestamp("2025-06-29 23:59"), 1, 1.0)})

    assert compute_rfm(accounts, AS_OF)["recency_days"].tolist() == [1]


def test_it_refuses_an_order_after_the_as_of_date():
    with pytest.raises(ValueError, match="account 'a' has an order after the as-of date"):
        compute_rfm(frame({"a": (date(2025, 7, 1), 1, 1.0)}), AS_OF)


@pytest.mark.parametrize("orders", [-1, 1.5])
def test_it_refuses_a_frequency_that_is_not_a_count(orders):
    with pytest.raises(ValueError, match="^frequency"):
        compute_rfm(frame({"a": (AS_OF, orders, 1.0)}), AS_OF)


def test_it_names_a_missing_column():
    with pytest.raises(ValueError, match="missing input columns: monetary"):
        compute_rfm(pd.DataFrame({"last_order_date": [AS_OF], "frequency": [1]}), AS_OF)


def test_the_docstring_table_is_the_segment_table():
    assert segment_table_markdown() in rfm.__doc__


def test_the_segment_grid_uses_every_named_segment_and_nothing_else():
    names = {name for row in SEGMENT_TABLE.values() for name in row}

    assert names == set(SEGMENTS)
    assert len(SEGMENTS) == 11
    assert set(rfm.SEGMENT_LABELS_ZH) == set(SEGMENTS)


@pytest.mark.parametrize(
    ("r", "f", "segment"),
    [
        (5, 5, "Champions"),
        (5, 1, "New"),
        (4, 1, "Promising"),
        (4, 4, "Loyal"),
        (3, 3, "Need attention"),
        (3, 2, "About to sleep"),
        (2, 4, "At risk"),
        (1, 5, "Can't lose"),
        (2, 2, "Hibernating"),
        (1, 1, "Lost"),
        (4, 3, "Potential loyalist"),
    ],
)
def test_segment_for(r, f, segment):
    assert segment_for(r, f) == segment


@pytest.mark.parametrize(("r", "f"), [(0, 1), (1, 6), (6, 3)])
def test_segment_for_refuses_scores_outside_1_to_5(r, f):
    with pytest.raises(ValueError, match="scores must be 1-5"):
        segment_for(r, f)


# Property tests: a better value for one account never lowers its own score.

account = st.tuples(
    st.one_of(st.none(), st.integers(min_value=0, max_value=1000)),  # days since last order
    st.integers(min_value=0, max_value=30),  # orders in window
    st.floats(min_value=0, max_value=1e7, allow_nan=False),  # revenue in window
)
modes = st.sampled_from([RfmConfig(), THRESHOLDS])


def frame_from(accounts: list[tuple]) -> pd.DataFrame:
    return frame(
        {
            i: (None if days is None else AS_OF - timedelta(days=days), orders, amount)
            for i, (days, orders, amount) in enumerate(accounts)
        }
    )


@settings(database=None, max_examples=200, deadline=None)
@given(accounts=st.lists(account, min_size=1, max_size=25), data=st.data(), config=modes)
def test_a_more_recent_last_order_never_lowers_r(accounts, data, config):
    i = data.draw(st.integers(min_value=0, max_value=len(accounts) - 1))
    days, orders, amount = accounts[i]
    newer = data.draw(st.integers(min_value=0, max_value=1000 if days is None else days))
    changed = [*accounts[:i], (newer, orders, amount), *accounts[i + 1 :]]

    before = compute_rfm(frame_from(accounts), AS_OF, config)["r_score"].iloc[i]
    after = compute_rfm(frame_from(changed), AS_OF, config)["r_score"].iloc[i]

    assert after >= before


@settings(database=None, max_examples=200, deadline=None)
@given(accounts=st.lists(account, min_size=1, max_size=25), data=st.data(), config=modes)
def test_adding_an_order_never_lowers_f_or_m(accounts, data, config):
    i = data.draw(st.integers(min_value=0, max_value=len(accounts) - 1))
    amount = data.draw(st.floats(min_value=0, max_value=1e6, allow_nan=False))
    days, orders, revenue = accounts[i]
    changed = [*accounts[:i], (days, orders + 1, revenue + amount), *accounts[i + 1 :]]

    before = compute_rfm(frame_from(accounts), AS_OF, config).iloc[i]
    after = compute_rfm(frame_from(changed), AS_OF, config).iloc[i]

    assert after["f_score"] >= before["f_score"]
    assert after["m_score"] >= before["m_score"]


def test_three_identical_buyers_score_like_one_alone():
    # given: an account that ordered 50,000 yesterday, alone and with two identical peers
    alone = frame({"a": (date(2025, 6, 29), 1, 50_000.0)})
    three = frame({key: (date(2025, 6, 29), 1, 50_000.0) for key in "abc"})

    # when
    alone_scores, three_scores = compute_rfm(alone, AS_OF), compute_rfm(three, AS_OF)

    # then: 5/5/5 Champions both times, not 1/1/1 Lost when the peers join
    for result in (alone_scores, three_scores):
        assert result[["r_score", "f_score", "m_score"]].to_numpy().tolist() == [[5, 5, 5]] * len(result)
        assert {segment_for(r, f) for r, f in zip(result.r_score, result.f_score, strict=True)} == {"Champions"}
