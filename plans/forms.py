"""Forms of the plans pages (contacts and activities are logged from the account page)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, BuyingRole, Contact, User
from kam.forms import StyledFormMixin
from plans.models import AccountPlan, ActionItem, Activity, ContactPlanEntry, DevelopmentProposal, ThemeLibraryEntry
from plans.services import PROPOSAL_FIELDS
from tiering.domain.matrix import CATEGORIES
from tiering.explanations import category_label


class ContactForm(StyledFormMixin, forms.ModelForm):
    """A contact's details. `last_contacted_on` is not here: it comes from activities."""

    class Meta:
        model = Contact
        fields = ["name", "title", "department", "buying_role", "attitude", "reports_to", "phone", "email"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A boss is picked among the same account's current people.
        self.fields["reports_to"].queryset = account.contacts.filter(is_active=True).exclude(pk=self.instance.pk)


class ContactMoveForm(StyledFormMixin, forms.Form):
    """The person took another job; the role they held is kept in their history."""

    account = forms.ModelChoiceField(label=_("New account"), queryset=Account.objects.none())
    title = forms.CharField(label=_("New title"), max_length=120, required=False)
    department = forms.CharField(label=_("New department"), max_length=120, required=False)
    buying_role = forms.ChoiceField(label=_("Buying role"), choices=BuyingRole.choices)

    def __init__(self, *args, user: User, contact: Contact, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "account": contact.account_id,
                "title": contact.title,
                "department": contact.department,
                "buying_role": contact.buying_role,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.visible_to(user).order_by("name")


class ActivityForm(StyledFormMixin, forms.ModelForm):
    """An activity; `occurred_at` is read in the current time zone (settings.TIME_ZONE)."""

    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    class Meta:
        model = Activity
        fields = ["type", "occurred_at", "duration_minutes", "contacts", "participants", "notes", "outcome"]
        widgets = {
            "contacts": forms.CheckboxSelectMultiple,
            "participants": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = account.contacts.filter(is_active=True).order_by("name")
        self.fields["participants"].queryset = (
            User.objects.filter(is_active=True).exclude(role=User.Role.INTEGRATION).order_by("username")
        )


class PlanForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AccountPlan
        fields = [
            "period",
            "lifecycle_stage",
            "position_target",
            "share_target",
            "revenue_target",
            "success_probability",
            "profit_target",
            "notes",
        ]
        widgets = {
            "period": forms.TextInput(attrs={"placeholder": "2026-Q2", "pattern": r"\d{4}(-Q[1-4])?"}),
            "position_target": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class ProposalForm(StyledFormMixin, forms.ModelForm):
    """A key-account development proposal's forecast (seed 004 "费用、销售预测分析")."""

    class Meta:
        model = DevelopmentProposal
        fields = list(PROPOSAL_FIELDS)  # what the service writes, in the form's order
        widgets = {
            "forecast_sales": forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "0.01"}),
            "margin_percent": forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "max": 100, "step": "0.01"}),
            "management_cost": forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "0.01"}),
            "travel_cost": forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "0.01"}),
            "other_cost": forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "0.01"}),
            "risk_notes": forms.Textarea(attrs={"rows": 2}),
            "competitive_advantage": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class ReturnForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("What should change"), widget=forms.Textarea(attrs={"rows": 3}))


class ActionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["action", "owner", "starts_on", "ends_on", "status", "completion"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "completion": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True).exclude(role=User.Role.INTEGRATION).order_by("username")
        )

    def clean(self) -> dict:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:  # on the field, before the table's check constraint says it vaguely
            self.add_error("ends_on", _("The end cannot be before the start."))
        return data


class ReviewForm(StyledFormMixin, forms.Form):
    month = forms.DateField(
        label=_("Month"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    notes = forms.CharField(label=_("Review (plan, do, check, act)"), widget=forms.Textarea(attrs={"rows": 4}))


class ReviewCommentForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("Manager's comment"), widget=forms.Textarea(attrs={"rows": 2}))


class ContactPlanForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ContactPlanEntry
        fields = ["contact", "owner", "interval_days", "starts_on"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = account.contacts.filter(is_active=True).order_by("name")
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True).exclude(role=User.Role.INTEGRATION).order_by("username")
        )
        if self.instance.pk:
            self.fields["contact"].disabled = True

    def _get_validation_exclusions(self) -> set[str]:
        # The one-entry-per-contact-and-owner rule is the service's, said on the contact field.
        return {*super()._get_validation_exclusions(), "contact"}


class CheckInForm(StyledFormMixin, forms.Form):
    """A field check-in; latitude/longitude are filled by the browser when the rep allows it."""

    contacts = forms.ModelMultipleChoiceField(
        label=_("Met"), queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=24 * 60, required=False)
    notes = forms.CharField(label=_("Visit record"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    outcome = forms.CharField(label=_("Outcome"), required=False)
    latitude = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = account.contacts.filter(is_active=True).order_by("name")


class VisitChangeForm(StyledFormMixin, forms.Form):
    planned_on = forms.DateField(label=_("Move to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class VisitIntervalForm(StyledFormMixin, forms.Form):
    """An account's own visit interval; empty follows its category's."""

    interval_days = forms.IntegerField(
        label=_("Visit every (days)"),
        min_value=1,
        max_value=366,
        required=False,
        help_text=_("Leave empty to follow the account's category."),
    )


class VisitIntervalsForm(StyledFormMixin, forms.Form):
    """A director's days between visits per account category."""

    def __init__(self, *args, current: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for category in CATEGORIES:
            self.fields[category] = forms.IntegerField(
                label=category_label(category), min_value=1, max_value=366, initial=current[category]
            )


class ThemeForm(StyledFormMixin, forms.Form):
    """Pick a theme from the library, or write one (and keep it in the library)."""

    source = forms.ModelChoiceField(
        label=_("From the library"), queryset=ThemeLibraryEntry.objects.order_by("problem"), required=False
    )
    problem = forms.CharField(label=_("Problem (the customer's concern)"), max_length=300, required=False)
    feature = forms.CharField(label=_("Feature (what we do)"), max_length=300, required=False)
    benefit = forms.CharField(label=_("Benefit (what it brings them)"), max_length=300, required=False)
    proof = forms.CharField(label=_("Proof"), max_length=300, required=False)
    save_to_library = forms.BooleanField(label=_("Also keep it in the shared library"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("source") is None:
            for field in ("problem", "feature", "benefit"):
                if not data.get(field):
                    self.add_error(field, _("Pick a library theme or fill this in."))
        return data
