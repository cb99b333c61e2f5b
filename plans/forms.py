"""Forms of the plans pages (contacts and activities are logged from the account page)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, BuyingRole, Contact, User
from kam.forms import StyledFormMixin
from plans.models import Activity


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
