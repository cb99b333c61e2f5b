import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.api.parsers import TooDeep, loads_limited
from kam.forms import StyledFormMixin
from tiering.domain.config import TieringConfig
from tiering.domain.matrix import TIERS
from tiering.models import Assessment


class AssessmentForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "differentiation",
            "value_vs_price",
            "leaning",
            "access_to_key_people",
            "purchase_rules",
            "prospects_rating",
            "wallet_estimate",
            "strategic",
            "referred_customer",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class OverrideForm(StyledFormMixin, forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=[(t, t) for t in TIERS])
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    expires_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_expires_on(self):  # noqa: ANN201
        value = self.cleaned_data["expires_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The expiry must be today or later."))
        return value


class ConfigForm(StyledFormMixin, forms.Form):
    data = forms.CharField(label=_("Settings (JSON)"), widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false"}))
    note = forms.CharField(label=_("What changed and why"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["data"].widget.attrs["class"] += " font-monospace"

    def clean_data(self) -> dict:
        try:
            data = loads_limited(self.cleaned_data["data"])
        except TooDeep as error:
            raise forms.ValidationError(str(error)) from None
        except json.JSONDecodeError as error:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": error}) from None
        try:
            TieringConfig.from_dict(data)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return data


class MatrixFilterForm(forms.Form):
    """The matrix of one rep; `reps` is `tiering.selectors.matrix_reps(user=...)`."""

    rep = forms.ModelChoiceField(label=_("Rep"), queryset=None, required=False, empty_label=_("All I see"))

    def __init__(self, *args, reps, **kwargs) -> None:  # noqa: ANN001, ANN003
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps
        self.fields["rep"].widget.attrs["class"] = "form-select"
