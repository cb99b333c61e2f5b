"""kam/forms.py: one place decides the Bootstrap class of a widget."""

from __future__ import annotations

import pytest
from django import forms

from kam.forms import StyledFormMixin, widget_css_class


@pytest.mark.parametrize(
    ("widget", "css"),
    [
        (forms.TextInput(), "form-control"),
        (forms.Textarea(), "form-control"),
        (forms.DateInput(), "form-control"),
        (forms.NumberInput(), "form-control"),
        (forms.ClearableFileInput(), "form-control"),
        (forms.Select(), "form-select"),
        (forms.SelectMultiple(), "form-select"),
        (forms.NullBooleanSelect(), "form-select"),
        (forms.CheckboxInput(), "form-check-input"),
        (forms.CheckboxSelectMultiple(), "form-check-input"),
        (forms.RadioSelect(), "form-check-input"),
    ],
)
def test_each_kind_of_widget_gets_its_class(widget: forms.Widget, css: str) -> None:
    assert widget_css_class(widget) == css


class Example(StyledFormMixin, forms.Form):
    name = forms.CharField()
    kind = forms.ChoiceField(choices=[("a", "A")])
    agreed = forms.BooleanField()
    size = forms.ChoiceField(choices=[("s", "S")], widget=forms.Select(attrs={"class": "form-select-sm"}))


def test_the_mixin_styles_every_field_and_keeps_a_class_the_form_chose() -> None:
    form = Example()
    assert {name: field.widget.attrs["class"] for name, field in form.fields.items()} == {
        "name": "form-control",
        "kind": "form-select",
        "agreed": "form-check-input",
        "size": "form-select-sm",
    }
    # the class-level widgets are untouched: each form instance has its own copy
    assert "class" not in Example.base_fields["name"].widget.attrs
