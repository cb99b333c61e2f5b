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

from accounts.models import User
from accounts.permissions import can_use_pages
from kam.templatetags.fast_url import url_of

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


def reverse_each(viewname: str, *args: object) -> Callable[[int], str]:
    """`reverse(viewname, args=[*args, pk])` for many integer keys (one per row of a page) at the
    cost of one reversal (kam.templatetags.fast_url: the URL is cut at its integer arguments once
    per process and each row's key filled in). A page's `{% url %}` per row was a sizeable part of
    its rendering. NoReverseMatch at once, as `reverse` would raise it."""
    url_of(viewname, *args, 0)  # a name or arguments reverse() refuses fail here, not per row
    return lambda pk: url_of(viewname, *args, int(pk))
