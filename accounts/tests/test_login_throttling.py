"""Login throttling (django-axes): repeated failures lock out the username and the address."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings

from accounts.tests.factories import make_user

PASSWORD = "pw-for-tests-1"  # noqa: S105 - the factories' test password


def sign_in(client: Client, username: str, password: str, *, ip: str = "203.0.113.5", **extra: str):  # noqa: ANN201
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_is_refused(client: Client) -> None:
    # given a rep
    make_user("rep1")
    # when someone tries 30 wrong passwords
    answers = [sign_in(client, "rep1", f"guess-{n}").status_code for n in range(30)]
    # then the first nine are the login page again, and from the tenth on the door is locked
    assert answers == [200] * 9 + [429] * 21
    # and the right password no longer signs in
    response = sign_in(client, "rep1", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins (10 attempts)." in response.content.decode()


@pytest.mark.django_db
def test_the_username_is_locked_from_every_address(client: Client) -> None:
    make_user("rep1")
    for n in range(10):
        sign_in(client, "rep1", "wrong", ip=f"198.51.100.{n}")
    assert sign_in(Client(), "rep1", PASSWORD, ip="192.0.2.77").status_code == 429


@pytest.mark.django_db
def test_an_address_trying_many_usernames_is_locked(client: Client) -> None:
    # given ten users, each tried once from the same address
    for n in range(10):
        make_user(f"rep{n}")
        sign_in(client, f"rep{n}", "wrong", ip="203.0.113.9")
    # then a new user from that address is refused, and from another address signs in
    make_user("fresh")
    assert sign_in(Client(), "fresh", PASSWORD, ip="203.0.113.9").status_code == 429
    assert sign_in(Client(), "fresh", PASSWORD, ip="203.0.113.10").status_code == 302


@pytest.mark.django_db
def test_a_few_failures_then_success_clears_the_count(client: Client) -> None:
    make_user("rep1")
    for _ in range(9):
        sign_in(client, "rep1", "wrong")
    assert sign_in(client, "rep1", PASSWORD).status_code == 302
    assert AccessAttempt.objects.count() == 0


@pytest.mark.django_db
def test_the_lockout_message_is_in_the_users_language(client: Client) -> None:
    make_user("rep1")
    for _ in range(10):
        sign_in(client, "rep1", "wrong")
    response = sign_in(client, "rep1", PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_is_the_one_the_proxy_saw(client: Client) -> None:
    # given: a proxy at 10.0.0.1 that appends the client's address to X-Forwarded-For
    make_user("rep1")
    for n in range(10):
        make_user(f"x{n}")
        sign_in(client, f"x{n}", "wrong", ip="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.9")
    # then the client behind the proxy is locked, and another one behind the same proxy is not
    proxied = {"ip": "10.0.0.1"}
    assert sign_in(Client(), "rep1", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxied).status_code == 429
    assert sign_in(Client(), "rep1", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxied).status_code == 302


@pytest.mark.django_db
def test_the_admin_action_unlocks_a_user(client: Client) -> None:
    # given a locked-out rep and a director in the admin
    rep = make_user("rep1")
    for _ in range(10):
        sign_in(Client(), "rep1", "wrong")
    admin = make_user("boss", role="director", is_staff=True, is_superuser=True)
    client.force_login(admin)
    # when the director unlocks the rep
    response = client.post(
        "/admin/accounts/user/", {"action": "unlock_sign_in", "index": 0, "_selected_action": [rep.pk]}, follow=True
    )
    # then the attempts are gone and the rep signs in again
    assert response.status_code == 200
    assert "Unlocked; 1 failed attempt records cleared." in response.content.decode()
    assert AccessAttempt.objects.count() == 0
    assert sign_in(Client(), "rep1", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_tokens_and_force_login_are_not_throttled(client: Client, world) -> None:  # noqa: ANN001
    # given the owner's name locked by failures
    for _ in range(10):
        sign_in(Client(), world.owner.username, "wrong")
    # then a session made without a password (tests, admin "log in as") still works
    client.force_login(world.owner)
    assert client.get("/accounts/").status_code == 200
    # and the API token of a user is independent of the sign-in form
    from accounts.tokens import token_create

    _, key = token_create(user=world.owner, name="erp", scopes=[])
    assert Client().get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
