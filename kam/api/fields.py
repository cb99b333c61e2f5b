"""Related fields whose choices are what the requesting user may see (issue 13 items 2 and 3).

Every API serializer derives from `VisibleModelSerializer`, so each related field it builds,
and each it declares with `VisibleRelatedField`, offers and accepts only rows from
`accounts.visibility.visible_rows(model, request.user)`. The browsable API's selects list
nothing else, and an id the user may not see is answered exactly like one that does not exist
("Invalid pk ... - object does not exist.").
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers

from accounts.visibility import visible_rows


def request_user(field: serializers.Field):  # noqa: ANN201 - a User or AnonymousUser
    request = field.context.get("request")
    return getattr(request, "user", None)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key reference limited to the rows of its model the requesting user may see."""

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        user = request_user(self)
        if user is None:  # no request (a task, the schema generator): nothing is offered
            return queryset.none()
        return visible_rows(queryset.model, user)


class VisibleModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated related fields are `VisibleRelatedField`s."""

    serializer_related_field = VisibleRelatedField
