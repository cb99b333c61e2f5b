"""Conversion, time in stage and the data-driven probability on hand-made walks."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from funnel.domain.conversion import stage_statistics

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


WALKS = [
    # won after going back once from proposal to needs understood
    [("first_contact", day(0)), ("needs_understood", day(2)), ("proposal", day(6)), ("needs_understood", day(8)),
     ("proposal", day(12)), ("negotiation", day(14)), ("signed", day(20))],
    # lost in negotiation
    [("first_contact", day(0)), ("proposal", day(4)), ("negotiation", day(10)), ("lost", day(15))],
    # still open in first contact
    [("first_contact", day(10))],
    [],  # no history: skipped
]  # fmt: skip


def test_stage_statistics_of_hand_made_walks() -> None:
    rows = {row.stage: row for row in stage_statistics(WALKS, now=day(30))}
    first = rows["first_contact"]
    assert (first.reached, first.advanced, first.won, first.visits) == (3, 2, 1, 3)
    assert (first.conversion, first.win_rate) == (Decimal("0.6667"), Decimal("0.3333"))
    # first contact: 2 + 4 + 20 days over 3 visits
    assert first.average_days == Decimal("8.7")
    proposal = rows["proposal"]
    # reached twice (the back-and-forth counts once), visited three times: 2 + 2 + 6 days
    assert (proposal.reached, proposal.advanced, proposal.won, proposal.visits, proposal.average_days) == (
        2,
        2,
        1,
        3,
        Decimal("3.3"),
    )
    negotiation = rows["negotiation"]
    assert (negotiation.reached, negotiation.advanced, negotiation.conversion, negotiation.win_rate) == (
        2,
        1,
        Decimal("0.5000"),
        Decimal("0.5000"),
    )
    assert (rows["signed"].reached, rows["signed"].won, rows["signed"].conversion) == (1, 1, Decimal("0.0000"))
    assert (rows["paid"].reached, rows["paid"].conversion, rows["paid"].average_days) == (0, None, None)
    assert (rows["lost"].reached, rows["lost"].win_rate, rows["lost"].average_days) == (
        1,
        Decimal("0.0000"),
        Decimal("15.0"),
    )
