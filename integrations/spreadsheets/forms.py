"""The upload form of the import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.spreadsheets import kind_choices, numbers

NUMBER_FORMATS = [
    (numbers.AUTO, _("Detect from the file")),
    (numbers.POINT, "1,234.56"),
    (numbers.COMMA, "1.234,56"),
]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=kind_choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    file = forms.FileField(
        label=_("CSV or Excel file (.csv, .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )
    number_format = forms.ChoiceField(
        label=_("Numbers in the file"),
        choices=NUMBER_FORMATS,
        initial=numbers.AUTO,
        required=False,
        help_text=_("A value the file could mean two ways (1,250) is refused until you choose."),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_number_format(self) -> str:
        return self.cleaned_data.get("number_format") or numbers.AUTO
