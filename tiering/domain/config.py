"""Every tunable of the tiering pipeline, with defaults, stored as JSON.

The configuration is a tree of frozen dataclasses so a run can never change it halfway.
Each dataclass validates itself on construction; `TieringConfig.from_dict` adds the
dotted path of the offending field (``"rfm.recency_days_cuts: ..."``) so an admin who
edits the stored JSON sees which value is wrong.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RFM_MODES = ("quintile", "thresholds")
RELATIONSHIP_TYPES = ("vendor", "preferred_supplier", "partner", "strategic_alliance")
FACTORS = (
    "differentiation",
    "value_vs_price",
    "leaning",
    "access_to_key_people",
    "purchase_rules",
)


def _check_ascending(name: str, cuts: Sequence[float], count: int | None = None) -> None:
    if count is not None and len(cuts) != count:
        raise ValueError(f"{name}: expected {count} cut points, got {len(cuts)}")
    for value in cuts:
        _check_number(name, value)
    if any(b <= a for a, b in zip(cuts, cuts[1:], strict=False)):
        raise ValueError(f"{name}: cut points must be strictly ascending, got {list(cuts)}")


def _check_number(name: str, value: object) -> None:
    # bool is an int subclass; `true` in the JSON is a typo, not a threshold.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")


def _check_between(name: str, value: float, low: float, high: float) -> None:
    _check_number(name, value)
    if not low <= value <= high:
        raise ValueError(f"{name}: must be between {low} and {high}, got {value}")


def _check_int(name: str, value: object, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: expected a whole number, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name}: must be {bounds}, got {value}")


def _check_weights(weights: CompositeWeights | FactorWeights) -> None:
    names = [f.name for f in dataclasses.fields(weights)]
    values = [getattr(weights, name) for name in names]
    for name, value in zip(names, values, strict=True):
        _check_number(name, value)
        if value < 0:
            raise ValueError(f"{name}: weight must be >= 0, got {value}")
    if sum(values) <= 0:
        raise ValueError(f"{', '.join(names)}: weights must sum to more than 0")


@dataclass(frozen=True)
class RfmConfig:
    """How R, F and M become scores 1-5 (see `rfm.py`)."""

    # "quintile": rank among accounts that ordered in the window; "thresholds": fixed cuts.
    mode: str = "quintile"
    # Days since the last order; R = 5 up to the first cut, 1 beyond the last.
    recency_days_cuts: tuple[float, ...] = (30, 90, 180, 365)
    # Orders in the window; F = 1 + number of cuts reached.
    frequency_cuts: tuple[float, ...] = (2, 4, 8, 16)
    # Revenue in the window; M = 1 + number of cuts reached.
    monetary_cuts: tuple[float, ...] = (10_000, 50_000, 200_000, 1_000_000)

    def __post_init__(self) -> None:
        if self.mode not in RFM_MODES:
            raise ValueError(f"mode: expected one of {RFM_MODES}, got {self.mode!r}")
        _check_ascending("recency_days_cuts", self.recency_days_cuts, 4)
        _check_ascending("frequency_cuts", self.frequency_cuts, 4)
        _check_ascending("monetary_cuts", self.monetary_cuts, 4)


@dataclass(frozen=True)
class ParetoConfig:
    """Cumulative revenue shares closing the A and B groups of the customer pyramid."""

    cutoffs: tuple[float, ...] = (0.80, 0.95)

    def __post_init__(self) -> None:
        _check_ascending("cutoffs", self.cutoffs, 2)
        for value in self.cutoffs:
            _check_between("cutoffs", value, 0.0, 1.0)


@dataclass(frozen=True)
class CompositeWeights:
    """Relative weights of the composite; normalised by their sum when applied."""

    amount: float = 0.40
    margin: float = 0.30
    credit: float = 0.15
    prospects: float = 0.15

    def __post_init__(self) -> None:
        _check_weights(self)


@dataclass(frozen=True)
class CompositeConfig:
    weights: CompositeWeights = field(default_factory=CompositeWeights)
    # Credit component falls linearly from 100 (nothing overdue) to 0 at this many days.
    credit_zero_at_days: float = 90

    def __post_init__(self) -> None:
        _check_number("credit_zero_at_days", self.credit_zero_at_days)
        if self.credit_zero_at_days <= 0:
            raise ValueError(f"credit_zero_at_days: must be > 0, got {self.credit_zero_at_days}")


@dataclass(frozen=True)
class BadgeConfig:
    """Key-account criteria of seed 004, in money (currency units), as the pipeline's inputs are.

    The seed counted 5,000 m3 of concrete for both; the product counts revenue, so the shipped
    defaults are money: a default can never silently apply a threshold in another unit."""

    # Cumulative contracted volume (revenue over both windows) that makes a quality account.
    quality_volume: float = 1_000_000
    # A single order/contract at least this large makes a high-value account.
    high_value_order: float = 200_000
    # A good payment record: nothing ever more than this many days overdue.
    good_payment_max_overdue_days: float = 30
    # "Close to the thresholds": within this fraction below them (0.2 = from 80% up).
    potential_within: float = 0.20

    def __post_init__(self) -> None:
        for name in ("quality_volume", "high_value_order", "good_payment_max_overdue_days"):
            value = getattr(self, name)
            _check_number(name, value)
            if value < 0:
                raise ValueError(f"{name}: must be >= 0, got {value}")
        _check_between("potential_within", self.potential_within, 0.0, 1.0)


@dataclass(frozen=True)
class FactorWeights:
    differentiation: float = 0.2
    value_vs_price: float = 0.2
    leaning: float = 0.2
    access_to_key_people: float = 0.2
    purchase_rules: float = 0.2

    def __post_init__(self) -> None:
        _check_weights(self)


@dataclass(frozen=True)
class AttractivenessConfig:
    """Factor ratings A/B/C score 3/2/1; the weighted mean (1-3) is cut into a letter."""

    weights: FactorWeights = field(default_factory=FactorWeights)
    # (B from, A from) on the 1-3 scale: all B is B, four A and one C is A.
    cutoffs: tuple[float, ...] = (1.75, 2.5)
    # Letter for an account nobody has assessed yet; never C, because a C from data
    # alone would tell the team to walk away from an account it has not looked at.
    provisional_letter: str = "B"
    # ... except these relationship types, which already imply leaning and access (A).
    provisional_a_relationships: tuple[str, ...] = ("partner", "strategic_alliance")

    def __post_init__(self) -> None:
        _check_ascending("cutoffs", self.cutoffs, 2)
        for value in self.cutoffs:
            _check_between("cutoffs", value, 1.0, 3.0)
        if self.provisional_letter not in ("A", "B", "C"):
            raise ValueError(f"provisional_letter: expected A, B or C, got {self.provisional_letter!r}")
        _check_relationships("provisional_a_relationships", self.provisional_a_relationships)


@dataclass(frozen=True)
class PositionConfig:
    """Potential band (rank percentiles) and relationship strength rules (`position.py`)."""

    # (medium from, high from) on the mean of revenue and margin percentile ranks.
    band_cutoffs: tuple[float, ...] = (0.5, 0.8)
    # A wallet estimate at least this multiple of window revenue raises the band one step.
    wallet_multiple: float = 3.0
    # Relationship types that count as established whatever the order frequency.
    established_relationships: tuple[str, ...] = ("preferred_supplier", "partner", "strategic_alliance")
    # Otherwise an F score of at least this makes the account established.
    established_min_f: int = 3
    # An R score below this means the account is slipping away.
    min_r: int = 3
    # Orders below this share of the previous window's count mean the account regresses.
    decline_ratio: float = 0.75
    # The selector sets `decision_maker_contacted` for a contact within this many days.
    decision_maker_days: int = 90

    def __post_init__(self) -> None:
        _check_ascending("band_cutoffs", self.band_cutoffs, 2)
        for value in self.band_cutoffs:
            _check_between("band_cutoffs", value, 0.0, 1.0)
        _check_number("wallet_multiple", self.wallet_multiple)
        if self.wallet_multiple <= 0:
            raise ValueError(f"wallet_multiple: must be > 0, got {self.wallet_multiple}")
        _check_relationships("established_relationships", self.established_relationships)
        _check_int("established_min_f", self.established_min_f, 1, 5)
        _check_int("min_r", self.min_r, 1, 5)
        _check_between("decline_ratio", self.decline_ratio, 0.0, 1.0)
        _check_int("decision_maker_days", self.decision_maker_days, 1)


def _check_relationships(name: str, values: Sequence[str]) -> None:
    unknown = [v for v in values if v not in RELATIONSHIP_TYPES]
    if unknown:
        raise ValueError(f"{name}: unknown relationship types {unknown}, expected {RELATIONSHIP_TYPES}")


@dataclass(frozen=True)
class TieringConfig:
    """The whole configuration; `TieringConfig()` is the shipped default."""

    # Trailing window for frequency and monetary; read by the selector that builds the frame.
    window_days: int = 365
    rfm: RfmConfig = field(default_factory=RfmConfig)
    pareto: ParetoConfig = field(default_factory=ParetoConfig)
    composite: CompositeConfig = field(default_factory=CompositeConfig)
    badges: BadgeConfig = field(default_factory=BadgeConfig)
    attractiveness: AttractivenessConfig = field(default_factory=AttractivenessConfig)
    position: PositionConfig = field(default_factory=PositionConfig)

    def __post_init__(self) -> None:
        _check_int("window_days", self.window_days, 1)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TieringConfig:
        """Build from stored JSON; missing keys keep their defaults, unknown keys are refused."""
        return _from_dict(cls, data, "")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (tuples become lists)."""
        return _to_dict(self)


def _from_dict(cls: type, data: Mapping[str, Any], path: str) -> Any:
    if not isinstance(data, Mapping):
        raise ValueError(f"{path.rstrip('.') or 'config'}: expected an object, got {data!r}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        # A typo in a stored key would otherwise silently fall back to the default.
        raise ValueError(f"{path}{unknown[0]}: unknown setting")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            kwargs[name] = _from_dict(hint, value, f"{path}{name}.")  # type: ignore[arg-type]
        elif typing.get_origin(hint) is tuple:
            if isinstance(value, str) or not isinstance(value, Sequence):
                raise ValueError(f"{path}{name}: expected a list, got {value!r}")
            kwargs[name] = tuple(value)
        else:
            kwargs[name] = value
    try:
        return cls(**kwargs)
    except ValueError as error:
        raise ValueError(f"{path}{error}") from None
    except TypeError as error:
        raise ValueError(f"{path.rstrip('.') or 'config'}: {error}") from None


def _to_dict(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple):
        return [_to_dict(v) for v in obj]
    return obj
