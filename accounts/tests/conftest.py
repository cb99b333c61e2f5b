import pytest

from accounts.tests.factories import World, build_world


@pytest.fixture
def world(db) -> World:  # noqa: ANN001 - pytest fixture
    return build_world()
