"""{% fast_url %} gives what {% url %} / reverse() gives, for every argument it is handed."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix
from hypothesis import given, settings
from hypothesis import strategies as st

from kam.templatetags.fast_url import url_of

ONE_ARGUMENT = ["accounts:detail", "plans:detail", "plans:proposal_detail", "plans:check_in", "plans:visit_change"]
NO_ARGUMENT = ["plans:my_work", "accounts:list", "tiering:matrix", "plans:notifications", "logout", "api-docs"]


@settings(deadline=None)  # the first example loads the URL configuration
@given(name=st.sampled_from(ONE_ARGUMENT), pk=st.integers(min_value=0, max_value=2**63 - 1))
def test_it_gives_the_url_reverse_gives_for_any_id(name: str, pk: int) -> None:
    assert url_of(name, pk) == reverse(name, args=[pk])


@pytest.mark.parametrize("name", NO_ARGUMENT)
def test_it_gives_the_url_of_a_name_without_arguments(name: str) -> None:
    assert url_of(name) == reverse(name)


def test_it_reverses_other_arguments_as_url_does() -> None:
    # a numeric string is reversed as such; a negative number matches no pattern, as with {% url %}
    assert url_of("accounts:detail", "42") == reverse("accounts:detail", args=["42"]) == "/accounts/42/"
    with pytest.raises(NoReverseMatch):
        url_of("accounts:detail", -1)
    with pytest.raises(NoReverseMatch):
        url_of("accounts:detail")


def test_it_follows_the_script_prefix() -> None:
    # given the site served under a sub-path (SCRIPT_NAME), after the same name was reversed at the root
    url_of("accounts:detail", 7)
    set_script_prefix("/kam/")
    try:
        # then the links carry it, as reverse()'s do
        assert url_of("accounts:detail", 7) == reverse("accounts:detail", args=[7]) == "/kam/accounts/7/"
    finally:
        set_script_prefix("/")
    assert url_of("accounts:detail", 7) == "/accounts/7/"


def test_the_tag_renders_what_the_url_tag_renders() -> None:
    context = Context({"pk": 12, "none": None})
    fast = Template("{% load fast_url %}{% fast_url 'plans:detail' pk %}|{% fast_url 'plans:my_work' %}")
    slow = Template("{% url 'plans:detail' pk %}|{% url 'plans:my_work' %}")
    assert fast.render(context) == slow.render(context) == "/plans/12/|/plans/my-work/"


def test_a_converter_that_formats_numbers_is_left_to_reverse(settings) -> None:  # noqa: ANN001
    # given a URL whose converter pads ids to four digits
    settings.ROOT_URLCONF = "kam.tests.urls_padded"
    # then the link is reverse()'s, padded, not the cut URL filled in
    assert url_of("padded", 7) == reverse("padded", args=[7]) == "/p/0007/"


ROWS = "{% for name, pk in rows %}{% LINK name pk %}|{% endfor %}"


@settings(deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(ONE_ARGUMENT), st.integers(min_value=0, max_value=2**63) | st.sampled_from(["7"])),
        max_size=12,
    )
)
def test_a_rendering_with_many_links_in_two_languages_is_the_url_tags(rows: list) -> None:
    # given one rendering of many rows' links (each name's cut URL looked up once in it), in the
    # page's language and then under {% language %}
    body = ROWS + "{% language 'zh-hans' %}" + ROWS + "{% endlanguage %}" + ROWS
    fast = Template("{% load fast_url i18n %}" + body.replace("LINK", "fast_url"))
    slow = Template("{% load i18n %}" + body.replace("LINK", "url"))
    # then it is what {% url %} renders
    context = Context({"rows": rows})
    assert fast.render(context) == slow.render(context)
