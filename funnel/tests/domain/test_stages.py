"""Probability and category rules (funnel/domain/stages.py), without the database."""

import re
from pathlib import Path

import pytest

from funnel.domain import stages
from funnel.domain.stages import effective_category, effective_probability


def test_the_docstring_table_is_the_code() -> None:
    # given the table in the module's docstring
    text = Path(stages.__file__).read_text()
    rows = re.findall(r"^\| (\w+) +\| (yes|no) +\| (yes|no) +\| (\d+) +\| (\w+) +\|$", text, re.MULTILINE)
    # then every stage is there with its defaults
    assert {row[0]: (int(row[3]), row[4]) for row in rows} == {
        stage: (stages.DEFAULT_PROBABILITY[stage], stages.DEFAULT_CATEGORY[stage]) for stage in stages.STAGES
    }
    assert [row[0] for row in rows if row[1] == "yes"] == list(stages.OPEN_STAGES)
    assert [row[0] for row in rows if row[2] == "yes"] == list(stages.WON_STAGES)


@pytest.mark.parametrize(
    ("stage", "override", "defaults", "expected"),
    [
        ("proposal", None, None, 50),
        ("proposal", None, {"proposal": 35}, 35),
        ("proposal", 80, {"proposal": 35}, 80),  # the rep's figure wins over a director's default
        ("negotiation", 80, None, 80),  # and survives a stage change
        ("lost", 80, None, 0),  # lost is 0 whatever was set
        ("lost", None, {"lost": 20}, 0),
        ("signed", None, None, 100),
        ("first_contact", 0, None, 0),  # 0 is a figure, not "no override"
    ],
)
def test_effective_probability(stage: str, override: int | None, defaults: dict | None, expected: int) -> None:
    assert effective_probability(stage=stage, override=override, defaults=defaults) == expected


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(KeyError):
        effective_probability(stage="won", override=None)


@pytest.mark.parametrize(
    ("stage", "override", "expected"),
    [
        ("first_contact", None, "pipeline"),
        ("proposal", None, "best_case"),
        ("negotiation", None, "commit"),
        ("negotiation", "best_case", "best_case"),  # a rep's choice is never overwritten by a default
        ("paid", None, "closed"),
        ("lost", None, "omitted"),
        ("first_contact", "commit", "commit"),
    ],
)
def test_effective_category(stage: str, override: str | None, expected: str) -> None:
    assert effective_category(stage=stage, override=override) == expected
