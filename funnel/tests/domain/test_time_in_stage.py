"""Time in stage with stages moving back and forth."""

from datetime import UTC, datetime, timedelta

from funnel.domain.time_in_stage import seconds_in_stage

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
DAY = 86400


def test_back_and_forth_adds_up_each_visit() -> None:
    changes = [
        ("needs_understood", T0 + timedelta(days=2)),
        ("proposal", T0 + timedelta(days=5)),
        ("needs_understood", T0 + timedelta(days=6)),  # back: the proposal was rejected
        ("proposal", T0 + timedelta(days=10)),
        ("negotiation", T0 + timedelta(days=11, hours=12)),
    ]
    totals = seconds_in_stage(first_stage="first_contact", entered_at=T0, changes=changes, now=T0 + timedelta(days=20))
    assert totals == {
        "first_contact": 2 * DAY,
        "needs_understood": 3 * DAY + 4 * DAY,
        "proposal": 1 * DAY + DAY + DAY // 2,
        "negotiation": 8 * DAY + DAY // 2,
    }


def test_out_of_order_history_never_counts_negative_time() -> None:
    changes = [("proposal", T0 + timedelta(days=3)), ("negotiation", T0 + timedelta(days=1))]
    totals = seconds_in_stage(first_stage="first_contact", entered_at=T0, changes=changes, now=T0 + timedelta(days=4))
    assert totals == {"first_contact": 3 * DAY, "proposal": 0, "negotiation": DAY}
