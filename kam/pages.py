"""Plumbing every app's pages share: who may open a page at all, and "the object this user may
see, or 404". Each app's views import these; none defines its own."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from accounts.models import User
from accounts.permissions import can_use_pages

M = TypeVar("M", bound=Model)


def page_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a page: signed-in people only (anonymous visitors go to the login page);
    integration users, who are API-only, get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_use_pages(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def visible_or_404(source: type[M] | QuerySet[M], /, *, user: User, pk: object) -> M:
    """The object `pk` among those `user` may see, else Http404.

    `source` is a model or a queryset (e.g. with `select_related`) whose manager/queryset has
    `visible_to(user)` — every account-owned model does (accounts/visibility.py). A hidden
    object answers exactly as a missing one does (404, never 403), and so does a `pk` of the
    wrong type (e.g. a string for an integer key).
    """
    queryset = source._default_manager.all() if isinstance(source, type) else source
    try:
        return queryset.visible_to(user).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# A number no real key reaches, for reverse_each to find where the key goes in a URL.
_KEY_MARKER = 9_182_736_455_463_728


def reverse_each(viewname: str, *args: object) -> Callable[[int], str]:
    """`reverse(viewname, args=[*args, pk])` for many integer keys (one per row of a page) at
    the cost of one reversal: the URL is reversed once with a marker as the last argument
    (which must be an `<int:…>` path converter, which writes the digits), and each call writes
    its key where the marker stood. A page's `{% url %}` per row was a sizeable part of its
    rendering. NoReverseMatch as `reverse`; ValueError when the last argument is not written
    as its digits, followed by text without digits."""
    url = reverse(viewname, args=[*args, _KEY_MARKER])
    # The last occurrence: the other arguments may hold the same digits, the rest of the path
    # holds none (checked).
    prefix, marker, suffix = url.rpartition(str(_KEY_MARKER))
    if not marker or any(c.isdigit() for c in suffix):
        raise ValueError(f"{viewname}: the last argument is not written as its digits at the end of {url}")
    return lambda pk: f"{prefix}{int(pk)}{suffix}"
