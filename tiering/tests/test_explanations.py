"""A snapshot's stored weakness text names the flags that are set, in WEAKNESSES order."""

import pandas as pd

from tiering.domain.pipeline import WEAKNESSES
from tiering.explanations import weaknesses_text


def test_weakness_text_names_the_set_flags_in_order() -> None:
    rows = [
        dict.fromkeys(WEAKNESSES, False),
        {**dict.fromkeys(WEAKNESSES, False), "new": True},
        {**dict.fromkeys(WEAKNESSES, False), "not_established": True, "no_decision_maker_contact": True},
        dict.fromkeys(WEAKNESSES, True),
    ]
    text = weaknesses_text(pd.DataFrame(rows, index=[7, 3, 9, 1]))
    assert text.to_dict() == {
        7: "",
        3: "new",
        9: "not_established no_decision_maker_contact",
        1: " ".join(WEAKNESSES),
    }
