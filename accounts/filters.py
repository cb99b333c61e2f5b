"""Account filters, shared by the "my accounts" page and the API so both filter alike."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.models import Account, User
from accounts.permissions import owner_choices, owner_label
from kam.api.filters import VisibleFilterSet

TIER_CHOICES = [(f"{letter}{digit}", f"{letter}{digit}") for letter in "ABC" for digit in range(1, 7)]
CATEGORY_CHOICES = [
    ("key", _("Key")),
    ("normal", _("Normal")),
    ("possible", _("Possible")),
    ("unattractive", _("Unattractive")),
]


BIGINT = (-(2**63), 2**63 - 1)  # what a database id column holds (SQLite and PostgreSQL)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """An id: an integer, and documented as one (NumberFilter takes and advertises any number),
    within 64 bits: a foreign key's lookup (`parent_id`) has none of the range check Django gives
    an integer field's own, and SQLite's driver raises OverflowError beyond it (a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", BIGINT[0])
        kwargs.setdefault("max_value", BIGINT[1])
        super().__init__(*args, **kwargs)


SORTS = ("name", "-name", "region", "industry", "tier", "-updated_at", "-annual_revenue")


class AccountFilter(VisibleFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    tier = django_filters.MultipleChoiceFilter(choices=TIER_CHOICES, label=_("Tier"))
    category = django_filters.ChoiceFilter(choices=CATEGORY_CHOICES, label=_("Category"))
    region = django_filters.CharFilter(label=_("Region"))
    industry = django_filters.CharFilter(label=_("Industry"))
    # Choices: the people this user may hand accounts to (the hand-over rule), by full name.
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    external_id = django_filters.CharFilter(label=_("ERP ID"))
    parent = IntegerFilter(field_name="parent_id", label=_("Parent account"))
    sort = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("region", "region"),
            ("industry", "industry"),
            ("tier", "tier"),
            ("updated_at", "updated_at"),
            ("annual_revenue", "annual_revenue"),
        ),
        # Labels of their own: the model's field names are not all translated ("Updated at").
        field_labels={
            "name": _("Name"),
            "region": _("Region"),
            "industry": _("Industry"),
            "tier": _("Tier"),
            "updated_at": _("Last updated"),
            "annual_revenue": _("Annual revenue"),
            # Spelled out: django-filter's "%s (descending)" is formatted once, in English.
            "-name": _("Name (descending)"),
            "-region": _("Region (descending)"),
            "-industry": _("Industry (descending)"),
            "-tier": _("Tier (descending)"),
            "-updated_at": _("Last updated (newest first)"),
            "-annual_revenue": _("Annual revenue (descending)"),
        },
        label=_("Sort"),
    )

    choices_for = {"owner": owner_choices}

    class Meta:
        model = Account
        fields = ["q", "tier", "category", "region", "industry", "owner", "external_id", "parent"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["owner"].label_from_instance = owner_label
        for name in ("owner", "sort"):
            if name in self.form.fields:  # the API's filters have no `sort`
                self.form.fields[name].widget.attrs["class"] = "form-select"

    def search(self, queryset, name, value):  # noqa: ANN001, ANN201 - django-filter's method signature
        return queryset.filter(
            Q(name__icontains=value) | Q(english_name__icontains=value) | Q(external_id__iexact=value)
        )


class AccountApiFilter(AccountFilter):
    """The API's filters: the page's, without `sort`. An API collection pages by a keyset in
    (`updated_at`, id) order (kam/api/pagination.py), so another order is not offered."""

    sort = None
