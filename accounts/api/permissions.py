"""Token scopes. A token with scopes may only do what they name; an integration user's token
must name a scope for anything at all. A person's token without scopes acts as that person.

The scopes themselves are declared by their apps in the registry (kam/scopes.py); naming an
undeclared one here is a programming error (ImproperlyConfigured), not a silent refusal."""

from __future__ import annotations

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import ApiToken, User
from kam.scopes import check_declared


def has_scope(request: Request, scope: str) -> bool:
    check_declared(scope)
    token = request.auth if isinstance(request.auth, ApiToken) else None
    if token is not None and token.scopes:
        return scope in token.scopes
    return request.user.role != User.Role.INTEGRATION


def require_scope(scope: str) -> type[BasePermission]:
    check_declared(scope)

    class HasScope(BasePermission):
        message = f"This token lacks the scope {scope}."
        required = scope  # for checks that read which scope guards a view

        def has_permission(self, request: Request, view) -> bool:  # noqa: ANN001
            return has_scope(request, scope)

    HasScope.__name__ = f"HasScope_{scope.replace(':', '_')}"
    return HasScope


class ResourceScope(BasePermission):
    """`<view.scope_resource>:read` for reads and `:write` for writes, e.g. accounts:read."""

    def has_permission(self, request: Request, view) -> bool:  # noqa: ANN001
        action = "read" if request.method in ("GET", "HEAD", "OPTIONS") else "write"
        scope = f"{view.scope_resource}:{action}"
        self.message = f"This token lacks the scope {scope}."
        return has_scope(request, scope)
