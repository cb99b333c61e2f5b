"""Relationship coverage, the "zipper" (拉链式关系网): our people against the account's key
people. Pure: ids and strings in, a grid and its gaps out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

STRENGTHS = ("none", "weak", "working", "strong")  # weakest first
COVERED = frozenset({"working", "strong"})  # a key person is covered by one of ours at least working
KEY_ROLES = ("decision_maker", "blocker")  # nobody of ours at working strength with them is a gap
# Rows of the grid: the roles that decide first (a blocker can stop a deal as surely).
ROLE_ORDER = ("decision_maker", "blocker", "advisor", "gatekeeper", "user", "supporter", "external_influencer")


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: str  # buying role for theirs; "" for ours
    title: str = ""


@dataclass(frozen=True)
class Cell:
    strength: str  # one of STRENGTHS
    last_interaction: datetime | None


@dataclass(frozen=True)
class Zipper:
    theirs: list[Person]  # rows, key roles first
    ours: list[Person]  # columns
    cells: dict[tuple[int, int], Cell]  # (their id, our id) -> cell; every pair present
    gaps: list[Person]  # key people nobody of ours covers


def zipper(
    *,
    theirs: Iterable[Person],
    ours: Iterable[Person],
    strengths: Mapping[tuple[int, int], str],
    last_interactions: Mapping[tuple[int, int], datetime],
) -> Zipper:
    """The grid of `theirs` × `ours`. `strengths` gives the pairs that have one (others are
    "none"); `last_interactions` the latest activity each pair took part in together.
    A decision maker or blocker with no pair at working strength or better is a gap.
    ValueError for a strength outside STRENGTHS."""
    rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    rows = sorted(theirs, key=lambda p: (rank.get(p.role, len(ROLE_ORDER)), p.name, p.id))
    columns = sorted(ours, key=lambda p: (p.name, p.id))
    cells: dict[tuple[int, int], Cell] = {}
    for person in rows:
        for ours_ in columns:
            strength = strengths.get((person.id, ours_.id), "none")
            if strength not in STRENGTHS:
                raise ValueError(f"unknown strength {strength!r}")
            cells[(person.id, ours_.id)] = Cell(strength, last_interactions.get((person.id, ours_.id)))
    gaps = [
        person
        for person in rows
        if person.role in KEY_ROLES and not any(cells[(person.id, ours_.id)].strength in COVERED for ours_ in columns)
    ]
    return Zipper(rows, columns, cells, gaps)
