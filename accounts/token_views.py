"""API token management for directors: list, make (secret shown once), revoke.

The writes are `token_create` / `token_revoke` (accounts/tokens.py), which the
`create_api_token` command calls too; the scopes offered are the registry's (kam/scopes.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import ApiToken, User
from accounts.tokens import token_create, token_revoke
from kam.forms import StyledFormMixin
from kam.pages import page_view
from kam.scopes import all_scopes


def _scope_choices() -> list[tuple[str, str]]:
    return [(scope.name, scope.name) for scope in all_scopes()]


class TokenForm(StyledFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("User"), queryset=User.objects.filter(is_active=True))
    name = forms.CharField(label=gettext_lazy("What it is for"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"), choices=_scope_choices, widget=forms.CheckboxSelectMultiple, required=False
    )


def _director_only(request: HttpRequest) -> None:
    if not (request.user.is_superuser or request.user.role == User.Role.DIRECTOR):
        raise PermissionDenied


@page_view
def token_list(request: HttpRequest) -> HttpResponse:
    _director_only(request)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = token_create(
                user=form.cleaned_data["user"], name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Token %(prefix)s… made. Copy the key now: it is not shown again.") % {"prefix": token.prefix},
            )
            form = TokenForm()
    tokens = ApiToken.objects.select_related("user").order_by("revoked_at", "-created_at")
    return render(request, "accounts/tokens.html", {"tokens": tokens, "form": form, "secret": secret})


@page_view
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    _director_only(request)
    try:
        token = token_revoke(token_id=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("tokens:list")


app_name = "tokens"
urlpatterns = [
    path("", token_list, name="list"),
    path("<int:pk>/revoke/", token_revoke_view, name="revoke"),
]
