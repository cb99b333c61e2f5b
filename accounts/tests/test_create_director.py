"""`create_director`: the first director of a new install, or a promotion; never a password on the
command line."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.tests.factories import make_user

GOOD = "Correct-horse-battery-9"  # noqa: S105 - a test password


def create_director(*args: str, stdin: str | None = None, monkeypatch=None) -> str:  # noqa: ANN001
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("create_director", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_a_director_with_the_password_from_stdin(monkeypatch) -> None:  # noqa: ANN001
    # when
    out = create_director(
        "chen", "--email", "chen@example.com", "--password-stdin", stdin=GOOD + "\n", monkeypatch=monkeypatch
    )
    # then
    assert out == "Created director 'chen'.\n"
    user = User.objects.get(username="chen")
    assert (user.role, user.is_staff, user.is_active, user.is_director, user.email) == (
        "director",
        True,
        True,
        True,
        "chen@example.com",
    )
    assert user.check_password(GOOD)


@pytest.mark.django_db
def test_it_reads_the_password_from_the_environment(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("KAM_DIRECTOR_PASSWORD", GOOD)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert create_director("chen") == "Created director 'chen'.\n"
    assert User.objects.get(username="chen").check_password(GOOD)


@pytest.mark.django_db
def test_it_promotes_a_rep_and_keeps_their_password_when_none_is_given(monkeypatch) -> None:  # noqa: ANN001
    # given a rep
    rep = make_user("wang")
    monkeypatch.delenv("KAM_DIRECTOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: no prompt
    # when
    assert create_director("wang") == "Promoted director 'wang'.\n"
    # then
    rep.refresh_from_db()
    assert (rep.role, rep.is_staff) == ("director", True)
    assert rep.check_password("pw-for-tests-1")


@pytest.mark.django_db
def test_a_new_director_needs_a_password(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("KAM_DIRECTOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="^A new director needs a password.$"):
        create_director("chen")
    assert not User.objects.filter(username="chen").exists()


@pytest.mark.django_db
def test_a_weak_password_is_refused_and_nothing_is_written(monkeypatch) -> None:  # noqa: ANN001
    with pytest.raises(CommandError, match="This password is too common."):
        create_director("chen", "--password-stdin", stdin="password\n", monkeypatch=monkeypatch)
    assert not User.objects.filter(username="chen").exists()


@pytest.mark.django_db
def test_an_integration_user_is_not_promoted(monkeypatch) -> None:  # noqa: ANN001
    make_user("erp", role="integration")
    with pytest.raises(CommandError, match="^erp is an API-only integration user.$"):
        create_director("erp", "--password-stdin", stdin=GOOD + "\n", monkeypatch=monkeypatch)
    assert User.objects.get(username="erp").role == "integration"
