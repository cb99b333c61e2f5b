"""Stage-to-stage conversion, average time in stage and the data-driven win probability.

Input: each opportunity's stage walk, oldest first, as (stage, entered_at) pairs (the first
is where it began), and `now` closing the last stage. Per stage:

* reached   - opportunities that were ever in it (once each, however often they came back);
* advanced  - of those, the ones that later reached a further stage of the order
  first contact → needs understood → proposal → negotiation → signed → paid (lost is no step);
* won       - of those, the ones whose last stage is signed or paid;
* conversion = advanced / reached, win rate (the data-driven probability) = won / reached,
  as fractions rounded half up to 4 places, None when nothing reached the stage;
* average days in stage = total time spent in it over all visits / number of visits, 1 place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from .stages import LOST, STAGES, is_won
from .time_in_stage import seconds_in_stage

ORDER = [stage for stage in STAGES if stage != LOST]  # the forward order of the walk
FOURTH_PLACE = Decimal("0.0001")


@dataclass(frozen=True)
class StageStatistics:
    stage: str
    reached: int
    advanced: int
    won: int
    visits: int
    seconds: int

    @property
    def conversion(self) -> Decimal | None:
        return _ratio(self.advanced, self.reached)

    @property
    def win_rate(self) -> Decimal | None:
        return _ratio(self.won, self.reached)

    @property
    def average_days(self) -> Decimal | None:
        if not self.visits:
            return None
        return (Decimal(self.seconds) / self.visits / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(FOURTH_PLACE, ROUND_HALF_UP) if whole else None


def stage_statistics(walks: Iterable[Sequence[tuple[str, datetime]]], *, now: datetime) -> list[StageStatistics]:
    """One StageStatistics per stage (in STAGES order) over `walks`; empty walks are skipped."""
    reached = dict.fromkeys(STAGES, 0)
    advanced = dict.fromkeys(STAGES, 0)
    won = dict.fromkeys(STAGES, 0)
    visits = dict.fromkeys(STAGES, 0)
    seconds = dict.fromkeys(STAGES, 0)
    for walk in walks:
        if not walk:
            continue
        (first, entered), *changes = walk
        for stage, spent in seconds_in_stage(first_stage=first, entered_at=entered, changes=changes, now=now).items():
            seconds[stage] += spent
        for stage, _at in walk:
            visits[stage] += 1
        seen = {stage for stage, _at in walk}
        furthest = max((ORDER.index(stage) for stage in seen if stage in ORDER), default=-1)
        final_won = is_won(walk[-1][0])
        for stage in seen:
            reached[stage] += 1
            won[stage] += final_won
            if stage in ORDER and ORDER.index(stage) < furthest:
                advanced[stage] += 1
    return [
        StageStatistics(stage, reached[stage], advanced[stage], won[stage], visits[stage], seconds[stage])
        for stage in STAGES
    ]
