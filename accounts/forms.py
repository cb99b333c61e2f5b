from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, User
from accounts.permissions import can_use_pages, owner_choices, owner_label
from kam.forms import StyledFormMixin


class PageLoginForm(AuthenticationForm):
    """The browser login: integration users are API-only and are turned away here."""

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not can_use_pages(user):
            raise forms.ValidationError(_("This is an API-only account; it cannot sign in here."), code="api_only")


class AccountForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Account
        fields = [
            "name",
            "english_name",
            "external_id",
            "parent",
            "industry",
            "region",
            "employees",
            "annual_revenue",
            "credit_level",
            "operating_status",
            "relationship_type",
            "lifecycle_stage",
            "business_strategy",
            "main_products",
            "development_bottleneck",
            "owner",
        ]
        widgets = {
            "business_strategy": forms.Textarea(attrs={"rows": 3}),
            "main_products": forms.Textarea(attrs={"rows": 3}),
            "development_bottleneck": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A parent can only be picked among the accounts the user may see.
        self.fields["parent"].queryset = Account.objects.visible_to(user).exclude(pk=self.instance.pk)
        # The hand-over rule: whom this user may give accounts to, plus the current owner (kept as is).
        owner = self.fields["owner"]
        owner.queryset = (owner_choices(user) | User.objects.filter(pk=self.instance.owner_id)).order_by(
            "last_name", "first_name", "username"
        )
        owner.label_from_instance = owner_label
        owner.empty_label = None  # required: no "---------" to leave the account ownerless

    def clean_external_id(self) -> str | None:
        return (self.cleaned_data.get("external_id") or "").strip() or None
