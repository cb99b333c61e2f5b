"""The development proposal's figures (plans.domain.proposals)."""

from decimal import Decimal

import pytest

from plans.domain.proposals import cost_to_serve, gross_profit, proposal_eligible, proposal_figures

D = Decimal


def test_expected_profit_is_sales_times_margin_minus_cost_to_serve() -> None:
    figures = proposal_figures(
        sales=D("1000000"), margin_percent=D("20"), management=D("50000"), travel=D("20000"), other=D("30000")
    )
    assert figures.cost_to_serve == D("100000.00")
    assert figures.gross_profit == D("200000.00")
    assert figures.expected_profit == D("100000.00")
    assert figures.return_on_cost == D("1.00")
    assert figures.worth_developing is True


def test_a_cost_above_the_gross_profit_is_not_worth_developing() -> None:
    figures = proposal_figures(
        sales=D("100000"), margin_percent=D("10"), management=D("8000"), travel=D("3000"), other=D("0")
    )
    assert figures.expected_profit == D("-1000.00")
    assert figures.return_on_cost == D("-0.09")
    assert figures.worth_developing is False


def test_without_a_cost_the_return_on_cost_is_undefined_and_break_even_is_not_worth_it() -> None:
    figures = proposal_figures(sales=D("0"), margin_percent=D("30"), management=D(0), travel=D(0), other=D(0))
    assert figures.return_on_cost is None
    assert figures.expected_profit == D("0.00")
    assert figures.worth_developing is False


def test_figures_are_rounded_to_the_cent_half_up() -> None:
    assert gross_profit(sales=D("333.33"), margin_percent=D("12.5")) == D("41.67")  # 41.66625
    assert cost_to_serve(management=D("0.005"), travel=D("0"), other=D("0")) == D("0.01")


@pytest.mark.parametrize(
    ("category", "band", "badges", "eligible"),
    [
        ("possible", "high", [], True),
        ("normal", "medium", ["potential"], True),
        ("possible", "medium", ["quality"], False),  # no key-account potential
        ("key", "high", ["potential"], False),  # key already
        ("unattractive", "high", ["potential"], False),
        ("", "high", [], False),  # unscored
        ("normal", None, [], False),
    ],
)
def test_only_a_possible_or_normal_account_with_key_potential_is_proposed(category, band, badges, eligible) -> None:
    assert proposal_eligible(category=category, potential_band=band, badges=badges) is eligible
