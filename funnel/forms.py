from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, User
from funnel.models import Category, Opportunity, Stage
from kam.forms import StyledFormMixin


class OpportunityForm(StyledFormMixin, forms.ModelForm):
    """A whole opportunity (new, or its page). Probability and category left empty follow the stage."""

    class Meta:
        model = Opportunity
        fields = [
            "account",
            "name",
            "product_line",
            "amount",
            "expected_close_date",
            "owner",
            "stage",
            "probability_override",
            "category_override",
            "next_step",
            "next_step_date",
            "lost_reason",
            "closed_at",
        ]
        widgets = {
            "expected_close_date": forms.DateInput(attrs={"type": "date"}),
            "next_step_date": forms.DateInput(attrs={"type": "date"}),
            "closed_at": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "probability_override": _("Empty: the stage default applies."),
            "category_override": _("Empty: the stage default applies."),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only accounts the person may see; the owner among the active people (not integrations).
        self.fields["account"].queryset = Account.objects.visible_to(user).order_by("name")
        self.fields["owner"].queryset = User.objects.filter(is_active=True).exclude(role=User.Role.INTEGRATION)


class CardForm(StyledFormMixin, forms.Form):
    """The board's inline edit: amount, close date, probability, category, next step."""

    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2, min_value=0)
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    probability_override = forms.IntegerField(
        label=_("Probability (%)"), required=False, min_value=0, max_value=100, help_text=_("Empty: stage default.")
    )
    category_override = forms.ChoiceField(
        label=_("Forecast category"),
        required=False,
        choices=[("", _("Stage default"))] + list(Category.choices),
    )
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=200)

    def clean_category_override(self) -> str | None:
        return self.cleaned_data["category_override"] or None


class MoveForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)


class StageDefaultsForm(StyledFormMixin, forms.Form):
    """A director's default probability per open stage."""

    def __init__(self, *args, current: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        from funnel.domain.stages import OPEN_STAGES

        for stage in OPEN_STAGES:
            self.fields[stage] = forms.IntegerField(
                label=labels[stage], min_value=0, max_value=100, initial=current[stage]
            )


class CommitmentForm(StyledFormMixin, forms.Form):
    quarter = forms.CharField(label=_("Quarter"), max_length=7, help_text=_("Like 2026-Q3."))
    amount = forms.DecimalField(label=_("My commit"), max_digits=16, decimal_places=2, min_value=0)
