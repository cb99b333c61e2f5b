"""API token management for directors: list, make (secret shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import ApiToken, User
from accounts.tokens import api_token_create
from accounts.views import page_view

SCOPES = [
    "accounts:read",
    "accounts:write",
    "contacts:read",
    "contacts:write",
    "orders:write",
    "invoices:write",
    "payments:write",
    "scores:read",
    "runs:read",
    "runs:write",
    "webhooks:write",
]


class TokenForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("User"), queryset=User.objects.filter(is_active=True))
    name = forms.CharField(label=gettext_lazy("What it is for"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=[(s, s) for s in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean(self) -> dict:
        data = super().clean()
        user = data.get("user")
        if user is not None and user.role == User.Role.INTEGRATION and not data.get("scopes"):
            raise forms.ValidationError(_("An integration user's token needs at least one scope."))
        return data


def _director_only(request: HttpRequest) -> None:
    if not (request.user.is_superuser or request.user.role == User.Role.DIRECTOR):
        raise PermissionDenied


@page_view
def token_list(request: HttpRequest) -> HttpResponse:
    _director_only(request)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        token, secret = api_token_create(
            user=form.cleaned_data["user"], name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
        )
        messages.success(
            request, _("Token %(prefix)s… made. Copy the key now: it is not shown again.") % {"prefix": token.prefix}
        )
        form = TokenForm()
    tokens = ApiToken.objects.select_related("user").order_by("revoked_at", "-created_at")
    for field in ("user", "name"):
        form.fields[field].widget.attrs["class"] = "form-select" if field == "user" else "form-control"
    return render(request, "accounts/tokens.html", {"tokens": tokens, "form": form, "secret": secret})


@page_view
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _director_only(request)
    token = get_object_or_404(ApiToken, pk=pk)
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("tokens:list")


app_name = "tokens"
urlpatterns = [
    path("", token_list, name="list"),
    path("<int:pk>/revoke/", token_revoke, name="revoke"),
]
