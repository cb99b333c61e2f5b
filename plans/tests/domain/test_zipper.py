"""The zipper: rows key roles first, every pair a cell, gaps at the decision-maker level."""

from datetime import UTC, datetime

import pytest

from plans.domain.zipper import Cell, Person, zipper

BOSS = Person(1, "张总", "decision_maker", "总经理")
BLOCKER = Person(2, "钱工", "blocker", "技术总监")
USER = Person(3, "刘工", "user", "工程师")
REP = Person(10, "rep1", "")
VP = Person(11, "Sales VP", "")
WHEN = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_every_pair_is_a_cell_and_key_roles_come_first() -> None:
    grid = zipper(
        theirs=[USER, BLOCKER, BOSS], ours=[VP, REP], strengths={(1, 10): "strong"}, last_interactions={(1, 10): WHEN}
    )
    assert [p.name for p in grid.theirs] == ["张总", "钱工", "刘工"]
    assert [p.name for p in grid.ours] == ["Sales VP", "rep1"]
    assert len(grid.cells) == 6
    assert grid.cells[(1, 10)] == Cell("strong", WHEN)
    assert grid.cells[(3, 11)] == Cell("none", None)


@pytest.mark.parametrize(
    ("strengths", "gaps"),
    [
        ({}, ["张总", "钱工"]),  # nobody at all
        ({(1, 10): "weak", (2, 11): "weak"}, ["张总", "钱工"]),  # weak is not coverage
        ({(1, 10): "working"}, ["钱工"]),
        ({(1, 10): "working", (2, 11): "strong"}, []),
        ({(3, 10): "strong", (1, 11): "strong"}, ["钱工"]),  # a covered user does not cover the blocker
    ],
)
def test_a_decision_maker_or_blocker_without_working_strength_is_a_gap(strengths, gaps) -> None:  # noqa: ANN001
    grid = zipper(theirs=[BOSS, BLOCKER, USER], ours=[REP, VP], strengths=strengths, last_interactions={})
    assert [p.name for p in grid.gaps] == gaps


def test_without_any_of_our_people_every_key_person_is_a_gap() -> None:
    assert [p.name for p in zipper(theirs=[BOSS, USER], ours=[], strengths={}, last_interactions={}).gaps] == ["张总"]


def test_an_unknown_strength_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown strength"):
        zipper(theirs=[BOSS], ours=[REP], strengths={(1, 10): "best friends"}, last_interactions={})
