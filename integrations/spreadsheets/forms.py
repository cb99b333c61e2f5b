"""The upload form of the import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.spreadsheets.models import KIND_CHOICES


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=KIND_CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )
    file = forms.FileField(
        label=_("CSV or Excel file (.csv, .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )
