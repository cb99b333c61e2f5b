"""Domain tests need no Django: they run with `-p no:django` as well as in the full suite."""

import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage() -> None:
    # Shadows the suite-wide autouse fixture of the root conftest, which asks for
    # pytest-django's `settings` and would fail under `-p no:django`. Nothing here renders
    # pages or hashes passwords, so there is nothing to configure.
    return None
