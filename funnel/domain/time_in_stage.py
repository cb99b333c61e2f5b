"""Time spent in each stage, from an opportunity's stage history.

Input: the moment the opportunity entered its first stage, then each change (to_stage, when)
in time order; `now` closes the current stage. A stage visited twice (moved back and forth)
adds up both visits. Durations are in whole seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def seconds_in_stage(
    *, first_stage: str, entered_at: datetime, changes: Iterable[tuple[str, datetime]], now: datetime
) -> dict[str, int]:
    """Stage -> total seconds in it. A change dated before the previous one counts 0 seconds
    for the stage it ends (imported histories can be out of order), never a negative time."""
    totals: dict[str, int] = {}
    stage, since = first_stage, entered_at
    for to_stage, at in changes:
        totals[stage] = totals.get(stage, 0) + max(0, int((at - since).total_seconds()))
        stage, since = to_stage, max(since, at)
    totals[stage] = totals.get(stage, 0) + max(0, int((now - since).total_seconds()))
    return totals
