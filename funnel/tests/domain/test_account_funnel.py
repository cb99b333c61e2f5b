"""The account funnel's rules (funnel.domain.account_funnel) on hand-made accounts."""

from decimal import Decimal

import pytest

from funnel.domain import account_funnel as af


@pytest.mark.parametrize(
    ("category", "signed", "fully_paid", "stage"),
    [
        ("", False, False, "target_market"),
        ("unknown", False, False, "target_market"),
        ("unattractive", False, False, "prospect"),
        ("possible", False, False, "possible"),
        ("normal", False, False, "normal"),
        ("key", False, False, "key"),
        ("key", False, True, "key"),  # fully paid means nothing without a contract and a first payment
        ("key", True, False, "signed"),
        ("normal", True, False, "signed"),  # signing is the goal, whatever the category
        ("", True, True, "qualified_signed"),
        ("unattractive", True, True, "qualified_signed"),
    ],
)
def test_each_account_has_one_stage(category: str, signed: bool, fully_paid: bool, stage: str) -> None:
    assert af.account_stage(category=category, signed=signed, fully_paid=fully_paid) == stage


def test_the_module_table_lists_the_stages_last_first() -> None:
    # the docstring's table, top down, is the funnel read backwards
    table = [line.split("|")[1].strip() for line in af.__doc__.splitlines() if line.startswith("| ")][1:]
    assert [stage for stage in table if stage] == list(reversed(af.STAGES))


def test_a_bar_counts_the_accounts_at_its_stage_and_every_later_one() -> None:
    # given accounts exactly at some stages
    at_stage = {"target_market": 5, "prospect": 4, "possible": 3, "key": 1, "qualified_signed": 2}
    # when
    reached = af.reached(at_stage)
    # then every stage is there, in funnel order, each bar holding the next
    assert reached == {
        "target_market": 15,
        "prospect": 10,
        "possible": 6,
        "normal": 3,
        "key": 3,
        "signed": 2,
        "qualified_signed": 2,
    }


def test_conversion_is_the_share_of_a_stage_that_moved_on_over_the_period() -> None:
    # given (stage when the period began, stage when it ended, accounts)
    transitions = [
        ("possible", "possible", 2),
        ("possible", "normal", 1),
        ("possible", "qualified_signed", 1),
        ("normal", "key", 3),
        ("signed", "qualified_signed", 1),
        ("qualified_signed", "signed", 1),  # a new open receivable: fell back, did not move on
        ("key", "normal", 1),  # re-tiered down
    ]
    # when
    rows = {row.stage: row for row in af.conversion(transitions)}
    # then
    assert [row.stage for row in af.conversion(transitions)] == list(af.STAGES)
    assert (rows["possible"].at_start, rows["possible"].moved_on, rows["possible"].conversion) == (
        4,
        2,
        Decimal("0.5000"),
    )
    assert (rows["normal"].at_start, rows["normal"].moved_on, rows["normal"].conversion) == (3, 3, Decimal("1.0000"))
    assert (rows["key"].at_start, rows["key"].moved_on, rows["key"].conversion) == (1, 0, Decimal("0.0000"))
    assert (rows["signed"].conversion, rows["target_market"].conversion) == (Decimal("1.0000"), None)
    # the last stage has nowhere further to go
    assert (rows["qualified_signed"].at_start, rows["qualified_signed"].conversion) == (1, None)


def test_conversion_rounds_half_up_to_four_places() -> None:
    rows = {row.stage: row for row in af.conversion([("key", "signed", 2), ("key", "key", 1)])}
    assert rows["key"].conversion == Decimal("0.6667")
