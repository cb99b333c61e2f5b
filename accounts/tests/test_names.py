"""A person's name is written as it is written in their language, through one helper."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from accounts.names import full_name


@pytest.mark.parametrize(
    ("given_name", "family", "expected"),
    [
        ("芳", "刘", "刘芳"),
        ("伟", "张", "张伟"),
        ("建国", "欧阳", "欧阳建国"),
        ("Anna", "Weber", "Anna Weber"),
        ("Anna", "", "Anna"),
        ("", "刘", "刘"),
        ("  芳 ", " 刘", "刘芳"),
        ("", "", ""),
    ],
)
def test_it_writes_the_name_in_its_own_order(given_name: str, family: str, expected: str) -> None:
    assert full_name(given=given_name, family=family) == expected


CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=3)
LATIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8)


@given(given_name=CJK, family=CJK)
def test_a_chinese_name_is_family_first_without_space(given_name: str, family: str) -> None:
    assert full_name(given=given_name, family=family) == family + given_name


@given(given_name=LATIN, family=LATIN)
def test_a_latin_name_is_given_first_with_one_space(given_name: str, family: str) -> None:
    assert full_name(given=given_name, family=family) == f"{given_name} {family}"


def test_the_user_shows_the_written_name_and_falls_back_to_the_login() -> None:
    # given
    named = User(username="liufang", first_name="芳", last_name="刘")
    unnamed = User(username="erp")
    # then
    assert named.get_full_name() == "刘芳"
    assert str(named) == "刘芳"
    assert str(unnamed) == "erp"


@pytest.mark.django_db
def test_pages_show_chinese_names_family_first(client, world) -> None:
    # given: the rep and the manager have Chinese names
    world.owner.first_name, world.owner.last_name = "芳", "刘"
    world.owner.save()
    client.force_login(world.owner)
    # when
    response = client.get("/accounts/")
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert "刘芳" in body
    assert "芳 刘" not in body
