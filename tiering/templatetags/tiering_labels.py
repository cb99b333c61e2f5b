"""Template filters that show tiering codes as their labels in the active language."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from tiering import explanations

register = template.Library()


@register.filter
def segment_label(segment: str) -> str:
    """`{{ score.segment|segment_label }}`: "Need attention" → 需要关注 in Chinese."""
    return explanations.segment_label(segment)


@register.filter
def badge_labels(badges: Iterable[str]) -> list[str]:
    """`{{ score.badges|badge_labels|join:"、" }}`: each badge code as its label."""
    return [explanations.badge_label(b) for b in badges]


@register.filter
def band_label(band: str) -> str:
    """A potential band (high / medium / low) as its label."""
    return str(explanations.BAND_LABELS.get(band, band))
