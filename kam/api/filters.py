"""FilterSets whose model choices are what the requesting user may see (issue 13 items 2 and 3).

`VisibleFilterSet` limits every ModelChoiceFilter / ModelMultipleChoiceFilter to
`visible_rows(model, user)`, so an `account` filter lists only the caller's accounts, and a
hidden id is refused exactly like a missing one (400, "Select a valid choice..."), never
answered with an empty page. `VisibleFilterBackend` uses it for the FilterSets DRF builds from
`filterset_fields`; it is the default filter backend (settings.REST_FRAMEWORK).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend

from accounts.visibility import visible_rows

MODEL_FILTERS = (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)


class VisibleFilterSet(django_filters.FilterSet):
    """Pass `request` (the API does) or `user` (a selector does); without either, no choices.

    `choices_for` maps a filter name to a function of the user giving its rows, for a filter
    whose choices follow another rule than seeing (the owner filter: the hand-over rule)."""

    choices_for: ClassVar[dict[str, Callable[[Any], QuerySet]]] = {}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = user if user is not None else getattr(self.request, "user", None)
        for name, model_filter in self.filters.items():
            if not isinstance(model_filter, MODEL_FILTERS):
                continue
            model = model_filter.queryset.model
            model_filter.__dict__.pop("_field", None)  # a form field built before would keep the old rows
            if user is None:
                model_filter.queryset = model._default_manager.none()
            elif name in self.choices_for:
                model_filter.queryset = self.choices_for[name](user)
            else:
                model_filter.queryset = visible_rows(model, user)


class VisibleFilterBackend(DjangoFilterBackend):
    filterset_base = VisibleFilterSet
