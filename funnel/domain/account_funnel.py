"""The account funnel (DOMAIN.md, "Funnel"; issue 10): where each account stands on the way
from the target market to a fully paid contract, and how many moved on over a period.

| stage              | an account is here when (the first row that holds, top down)              |
|--------------------|---------------------------------------------------------------------------|
| qualified_signed   | signed, and none of its receivables is still open (fully paid)            |
| signed             | it has a contract (a purchase: an order with a positive amount, not       |
|                    | cancelled) and a first payment received                                   |
| key                | its tier's category is key                                                |
| normal             | its tier's category is normal                                             |
| possible           | its tier's category is possible                                           |
| prospect           | it has been tiered, but is unattractive (filtered out of the funnel here) |
| target_market      | it is in the CRM and not tiered yet                                       |

Signing is the funnel's goal, so a signed account counts as signed whatever its category (a
normal account that signed has passed the key step in the funnel's sense). The funnel's bars
count the accounts that *reached* a stage: those at it or at any later one, so every bar holds
the next; `unattractive` accounts stop at prospects and do not reach possible.

Conversion over a period: of the accounts at stage s when it began, the share at a later stage
when it ended (None when no account was at s, and for the last stage, which has no later
one). Fractions are rounded half up to 4 places.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TARGET_MARKET, PROSPECT, POSSIBLE, NORMAL, KEY = "target_market", "prospect", "possible", "normal", "key"
SIGNED, QUALIFIED_SIGNED = "signed", "qualified_signed"

# In funnel order: an account at stage i has reached every stage <= i.
STAGES = (TARGET_MARKET, PROSPECT, POSSIBLE, NORMAL, KEY, SIGNED, QUALIFIED_SIGNED)

# Tier category (tiering.domain.matrix) -> funnel stage, for an account that has not signed.
CATEGORY_STAGE: dict[str, str] = {
    "unattractive": PROSPECT,
    "possible": POSSIBLE,
    "normal": NORMAL,
    "key": KEY,
}

FOURTH_PLACE = Decimal("0.0001")


def account_stage(*, category: str, signed: bool, fully_paid: bool) -> str:
    """The stage of one account (see the module table). `category` is its tier category, ""
    when untiered; `fully_paid` counts only for a signed account."""
    if signed:
        return QUALIFIED_SIGNED if fully_paid else SIGNED
    return CATEGORY_STAGE.get(category, TARGET_MARKET)


def reached(at_stage: Mapping[str, int]) -> dict[str, int]:
    """{stage: accounts at it or later} from {stage: accounts exactly at it} (missing = 0),
    every stage present, in funnel order."""
    result: dict[str, int] = {}
    running = 0
    for stage in reversed(STAGES):
        running += at_stage.get(stage, 0)
        result[stage] = running
    return {stage: result[stage] for stage in STAGES}


@dataclass(frozen=True)
class StageConversion:
    stage: str
    at_start: int  # accounts at this stage when the period began
    moved_on: int  # of them, at a later stage when it ended
    conversion: Decimal | None  # moved_on / at_start; None when at_start is 0


def conversion(transitions: Iterable[tuple[str, str, int]]) -> list[StageConversion]:
    """Per stage, in funnel order, from (stage at start, stage at end, accounts) triples. An
    account that fell back (e.g. fully paid, then a new open receivable) did not move on."""
    index = {stage: i for i, stage in enumerate(STAGES)}
    at_start = dict.fromkeys(STAGES, 0)
    moved = dict.fromkeys(STAGES, 0)
    for before, after, count in transitions:
        at_start[before] += count
        if index[after] > index[before]:
            moved[before] += count
    return [
        StageConversion(
            stage,
            at_start[stage],
            moved[stage],
            (Decimal(moved[stage]) / at_start[stage]).quantize(FOURTH_PLACE, ROUND_HALF_UP)
            if at_start[stage] and stage != STAGES[-1]
            else None,
        )
        for stage in STAGES
    ]
