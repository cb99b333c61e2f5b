"""The people offered as an account's owner come in one order, by the name shown (first name,
last name, else username) and then id: the same list in every process and after any update,
not whatever order the database's plan read them in."""

import re

import pytest

from accounts.models import User
from accounts.permissions import account_owners, owner_choices, owner_label
from accounts.tests.factories import make_user


@pytest.mark.django_db
def test_owners_are_offered_by_the_name_shown(client, world) -> None:
    # given people made in no particular order, one renamed since (its row rewritten)
    make_user("zz-first-made", first_name="Zhao")
    make_user("aa-no-name")
    make_user("mm", first_name="Ma", last_name="Yun")
    make_user("bb", first_name="Bai")
    User.objects.filter(username="rep1").update(first_name="Qian")
    # when the director's choices are read, and the account list's owner filter is drawn
    offered = [owner_label(person) for person in owner_choices(world.director)]
    client.force_login(world.director)
    page = client.get("/accounts/").content.decode()
    select = re.search(r'<select name="owner"[^>]*>(.*?)</select>', page, re.S).group(1)
    shown = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select)
    # then both are in the order of (first name, last name, username, id)
    expected = [
        owner_label(person)
        for person in sorted(account_owners(), key=lambda p: (p.first_name, p.last_name, p.username, p.pk))
    ]
    assert offered == expected
    assert shown == expected
    assert offered.index("Bai") < offered.index("Ma Yun") < offered.index("Qian") < offered.index("Zhao")
