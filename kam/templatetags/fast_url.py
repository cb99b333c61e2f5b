"""`{% fast_url 'name' pk … %}`: what `{% url %}` gives, for the long lists of a page.

`{% url %}` resolves the pattern anew for every link: tens of microseconds each, a few hundred
per page on "my work" (issue 9). Here each URL name is reversed once per process (and script
prefix, URL configuration and language) with numbered placeholders for its arguments, and each
link then fills in its integer arguments. Any other argument (a string, a negative or missing
value) is reversed as `{% url %}` would, so the result is always the URL `reverse()` gives.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

# Stand-ins for integer arguments: long enough that no pattern's own text holds them.
_PLACEHOLDERS = ("7301934560218", "7301934560219", "7301934560220", "7301934560221")


@lru_cache(maxsize=512)
def _parts(name: str, arity: int, prefix: str, urlconf: str, language: str | None) -> tuple[str, ...] | None:
    """The URL of `name` cut at its `arity` integer arguments (in order), or None when the
    placeholders do not come back once each, in order, or a short id is not written as it is
    (a converter that rewrites numbers)."""
    del prefix, language  # in the cache key only: reverse() reads them itself
    url = reverse(name, urlconf=urlconf, args=[int(p) for p in _PLACEHOLDERS[:arity]])
    parts = []
    for placeholder in _PLACEHOLDERS[:arity]:
        head, found, url = url.partition(placeholder)
        if not found or placeholder in url:
            return None
        parts.append(head)
    parts.append(url)
    # A converter that formats numbers (padding, say) would write a short id unlike the long
    # stand-ins: such a name is left to reverse().
    if _filled(tuple(parts), (1,) * arity) != reverse(name, urlconf=urlconf, args=[1] * arity):
        return None
    return tuple(parts)


def _filled(parts: tuple[str, ...], args: tuple[int, ...]) -> str:
    """The cut URL `parts` with `args` in its places."""
    pieces = [parts[0]]
    for arg, part in zip(args, parts[1:], strict=True):
        pieces += (str(arg), part)
    return "".join(pieces)


def url_of(name: str, *args: object, memo: dict | None = None) -> str:
    """reverse(name, args=args), from the cached cut URL when every argument is an int >= 0.
    memo: where one rendering keeps the cut URLs it has looked up (a template's render_context),
    by name, number of arguments and language: the script prefix and URL configuration are the
    request's for all of it (only the language may change, under `{% language %}`), so a row's
    link costs the filling in alone."""
    if len(args) <= len(_PLACEHOLDERS) and all(type(arg) is int and arg >= 0 for arg in args):
        key = (url_of, name, len(args), get_language())
        parts = _UNSEEN if memo is None else memo.get(key, _UNSEEN)
        if parts is _UNSEEN:
            parts = _parts(name, len(args), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, key[3])
            if memo is not None:
                memo[key] = parts
        if parts is not None:
            return _filled(parts, args)
    return reverse(name, args=args)


@register.simple_tag(takes_context=True)
def fast_url(context: template.Context, name: str, *args: object) -> str:
    """`{% url name arg … %}` (positional arguments only); escaped, as a simple tag's output is
    under autoescape, like `{% url %}`'s. Within one rendering each cut URL is looked up once
    (`url_of`'s memo; issue 9: hundreds of links on "my work")."""
    return url_of(name, *args, memo=context.render_context)


_UNSEEN = object()
