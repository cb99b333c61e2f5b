"""Form plumbing every app shares: the Bootstrap classes on widgets, set in one place."""

from __future__ import annotations

from django import forms


def widget_css_class(widget: forms.Widget) -> str:
    """The Bootstrap 5 class for `widget`: check boxes and radio buttons, selects, or text-like inputs."""
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):  # also SelectMultiple and NullBooleanSelect
        return "form-select"
    return "form-control"


def style_fields(form: forms.BaseForm) -> None:
    """Give each widget of `form` its Bootstrap class unless the form set one already."""
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", widget_css_class(field.widget))


class StyledFormMixin:
    """Put first in a form's bases: its widgets get their Bootstrap classes after `__init__`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
