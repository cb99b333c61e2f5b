"""The account page's rows are written once in Python (plans.selectors.timeline_items,
account_contacts; kam.pages.reverse_each) instead of per row in the template: they must say
exactly what the template's own tags said — get_FOO_display, {% url %}, date:"Y-m-d H:i" in the
current time zone — in every language."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Contact
from accounts.tests.factories import make_contact
from kam.pages import reverse_each
from plans.models import Activity
from plans.selectors import account_contacts, account_timeline, org_chart, timeline_items
from plans.tests.factories import make_activity

SHANGHAI = ZoneInfo("Asia/Shanghai")


@given(account_pk=st.integers(min_value=1, max_value=2**63 - 1), pk=st.integers(min_value=0, max_value=2**63 - 1))
def test_reverse_each_writes_what_reverse_writes(account_pk: int, pk: int) -> None:
    for name in ("plans_account:activity_edit", "plans_account:contact_edit", "plans_account:contact_left"):
        assert reverse_each(name, account_pk)(pk) == reverse(name, args=[account_pk, pk])


def test_reverse_each_refuses_what_reverse_refuses() -> None:
    with pytest.raises(NoReverseMatch):
        reverse_each("plans_account:activity_edit")  # the account's key missing


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("zone", [SHANGHAI, ZoneInfo("UTC")])
def test_timeline_items_say_what_the_template_said(world, language: str, zone: ZoneInfo) -> None:
    # given activities of every type, with and without contacts and our people, one just
    # before midnight in Shanghai (another day in UTC)
    boss = make_contact(world.account, name="张总")
    buyer = make_contact(world.account, name="<李工>")  # escaped by the template either way
    for i, kind in enumerate(Activity.Type.values):
        make_activity(
            world.account,
            datetime(2026, 3, 3 + i, 23, 30 + i, tzinfo=SHANGHAI),
            type=kind,
            contacts=(boss, buyer) if i % 2 else (),
            participants=(world.owner, world.teammate) if i % 3 else (),
        )
    # when they are read as the page reads them
    with translation.override(language), timezone.override(zone):
        activities = account_timeline(account=world.account)
        items = timeline_items(account=world.account, activities=activities)
        # then each says what get_type_display, {% url %} and the date filter say
        assert [(i.activity, i.type_label, i.occurred, i.contacts, i.participants, i.edit_url) for i in items] == [
            (
                a,
                a.get_type_display(),
                date_filter(timezone.localtime(a.occurred_at), "Y-m-d H:i"),
                [c.name for c in a.contacts.all()],
                [str(u) for u in a.participants.all()],
                reverse("plans_account:activity_edit", args=[world.account.pk, a.pk]),
            )
            for a in activities
        ]
    assert len(items) == len(Activity.Type.values)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_contact_cards_say_what_the_template_said(world, language: str) -> None:
    # given contacts of every buying role and attitude
    roles, attitudes = Contact._meta.get_field("buying_role"), Contact._meta.get_field("attitude")
    for i, (role, _) in enumerate(roles.choices):
        title = "采购经理" if i % 2 else ""
        make_contact(
            world.account, name=f"联系人{i}", buying_role=role, attitude=attitudes.choices[i % 3][0], title=title
        )
    with translation.override(language):
        cards = account_contacts(account=world.account)
        assert [(c.role_label, c.attitude_label, c.edit_url, c.move_url, c.left_url) for c in cards] == [
            (
                c.contact.get_buying_role_display(),
                c.contact.get_attitude_display(),
                reverse("plans_account:contact_edit", args=[world.account.pk, c.contact.pk]),
                reverse("plans_account:contact_move", args=[world.account.pk, c.contact.pk]),
                reverse("plans_account:contact_left", args=[world.account.pk, c.contact.pk]),
            )
            for c in cards
        ]
        # and the org chart labels each as get_FOO_display does
        chart = org_chart(contacts=[card.contact for card in cards])
        assert sorted(node["value"] for node in chart) == sorted(
            " · ".join(p for p in (c.title, c.get_buying_role_display(), c.get_attitude_display()) if p)
            for c in (card.contact for card in cards)
        )
    assert len(cards) == len(roles.choices)


def test_reverse_each_finds_its_key_after_the_same_digits() -> None:
    # given an account whose key is the digits fast_url cuts the URL at
    from kam.templatetags.fast_url import _PLACEHOLDERS

    key = int(_PLACEHOLDERS[1])
    # then the row's key still goes last
    assert reverse_each("plans_account:activity_edit", key)(7) == f"/accounts/{key}/activities/7/edit/"
