"""Opportunity stages, their default win probabilities and forecast categories (DOMAIN.md, "Funnel").

| stage            | open | won | default probability % | default category |
|------------------|------|-----|-----------------------|------------------|
| first_contact    | yes  | no  | 10                    | pipeline         |
| needs_understood | yes  | no  | 25                    | pipeline         |
| proposal         | yes  | no  | 50                    | best_case        |
| negotiation      | yes  | no  | 75                    | commit           |
| signed           | no   | yes | 100                   | closed           |
| paid             | no   | yes | 100                   | closed           |
| lost             | no   | no  | 0                     | omitted          |

Probabilities are whole percentages 0-100. A director may change the open stages' defaults
(`effective_probability` takes them as a mapping); a lost opportunity is 0 whatever was set.
"""

from __future__ import annotations

from collections.abc import Mapping

FIRST_CONTACT, NEEDS_UNDERSTOOD, PROPOSAL, NEGOTIATION = "first_contact", "needs_understood", "proposal", "negotiation"
SIGNED, PAID, LOST = "signed", "paid", "lost"

STAGES = (FIRST_CONTACT, NEEDS_UNDERSTOOD, PROPOSAL, NEGOTIATION, SIGNED, PAID, LOST)
OPEN_STAGES = (FIRST_CONTACT, NEEDS_UNDERSTOOD, PROPOSAL, NEGOTIATION)
WON_STAGES = (SIGNED, PAID)
CLOSED_STAGES = (SIGNED, PAID, LOST)

PIPELINE, BEST_CASE, COMMIT, OMITTED, CLOSED = "pipeline", "best_case", "commit", "omitted", "closed"
CATEGORIES = (PIPELINE, BEST_CASE, COMMIT, OMITTED, CLOSED)

DEFAULT_PROBABILITY: dict[str, int] = {
    FIRST_CONTACT: 10,
    NEEDS_UNDERSTOOD: 25,
    PROPOSAL: 50,
    NEGOTIATION: 75,
    SIGNED: 100,
    PAID: 100,
    LOST: 0,
}

DEFAULT_CATEGORY: dict[str, str] = {
    FIRST_CONTACT: PIPELINE,
    NEEDS_UNDERSTOOD: PIPELINE,
    PROPOSAL: BEST_CASE,
    NEGOTIATION: COMMIT,
    SIGNED: CLOSED,
    PAID: CLOSED,
    LOST: OMITTED,
}


def is_open(stage: str) -> bool:
    return stage in OPEN_STAGES


def is_won(stage: str) -> bool:
    return stage in WON_STAGES


def effective_probability(*, stage: str, override: int | None, defaults: Mapping[str, int] | None = None) -> int:
    """The win probability (%) an opportunity counts with.

    Lost: 0 whatever was set. Otherwise the rep's `override` when there is one (it survives stage
    changes until cleared), else the stage default from `defaults` (a director's settings;
    stages missing there fall back to DEFAULT_PROBABILITY). KeyError for an unknown stage.
    """
    if stage == LOST:
        return 0
    if stage not in DEFAULT_PROBABILITY:
        raise KeyError(stage)
    if override is not None:
        return override
    return (defaults or {}).get(stage, DEFAULT_PROBABILITY[stage])


def effective_category(*, stage: str, override: str | None) -> str:
    """The forecast category: the rep's choice when made (a default never overwrites it), else
    the stage's default. KeyError for an unknown stage."""
    default = DEFAULT_CATEGORY[stage]
    return override if override else default
