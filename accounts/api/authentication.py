from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken, User
from accounts.tokens import api_token_lookup, token_touch


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, checked against the hashed keys of ApiToken."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = api_token_lookup(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token_touch(token=token, now=timezone.now())  # at most one write a minute
        return token.user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):  # noqa: ANN001, ANN201 - drf-spectacular's signature
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; make one with `python manage.py create_api_token USERNAME`.",
        }
