"""Suite-wide rules: tests that need a real service skip when it is absent, with the reason,
except under KAM_REQUIRE_SERVICES=1 (CI), where such a skip is a failure."""

import os
import shutil

import pytest
from hypothesis import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


# No per-example time limit: a deadline is a timed unit test, and on a loaded 2-core CI machine
# a database example has missed hypothesis's 200 ms (speed targets live in bench/).
settings.register_profile("kam", deadline=None)
settings.load_profile("kam")


def _missing(marker: str) -> str | None:
    if marker == "postgres" and not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not os.environ.get("REDIS_URL"):
        return "needs Redis: set REDIS_URL=redis://..."
    if marker == "browser" and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _missing(marker)
        if reason is None:
            continue
        if os.environ.get("KAM_REQUIRE_SERVICES") == "1":
            pytest.fail(f"KAM_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def _django_active(request: pytest.FixtureRequest) -> bool:
    """Whether pytest-django runs: the pure domain tests also run with `-p no:django`, where the
    autouse fixtures below must not touch Django (tiering/tests/test_domain_purity.py)."""
    return request.config.pluginmanager.hasplugin("django")


@pytest.fixture(autouse=True)
def _plain_static_storage(request: pytest.FixtureRequest) -> None:
    if not _django_active(request):
        return
    settings = request.getfixturevalue("settings")
    # The hashed-manifest storage needs `collectstatic` first; pages under test use plain names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The webhook tests' receivers listen on 127.0.0.1, which the SSRF rule refuses; tests of
    # that rule (integrations/tests/test_webhook_destinations.py) clear this exception.
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    # A deliberately slow hasher makes every test user cost ~0.3 s; tests don't need that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests read back rows they wrote a moment ago; tests of the sync horizon set their own margin.
    settings.SYNC_SETTLE_SECONDS = 0


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201 - a small named world of people and accounts (see factories)
    from accounts.tests.factories import build_world

    return build_world()


@pytest.fixture
def receiver():  # noqa: ANN201 - a webhook receiver on a real socket (kam/testing.py)
    from kam.testing import Receiver

    server = Receiver()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _celery_in_process(request):  # noqa: ANN001, ANN202
    """Tasks run in-process in tests, except where a real worker is the point (marker `worker`)."""
    if not _django_active(request):
        yield
        return
    from kam.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_local_cache(request: pytest.FixtureRequest) -> None:
    """Rolled-back ids are reused on SQLite, so per-token throttle counts in the in-process cache
    would leak between tests. (On Redis, PostgreSQL's sequences never reuse a token id.)"""
    if not _django_active(request):
        return
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _default_language(request: pytest.FixtureRequest):  # noqa: ANN202
    """A page requested in Chinese leaves Chinese active in the thread (LocaleMiddleware never
    deactivates), and a later test calling a service directly would get Chinese messages: each
    test starts in the default language, and whatever it activates is undone after it."""
    if not _django_active(request):
        yield
        return
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def service_calls(monkeypatch):  # noqa: ANN001, ANN201
    """Record the keyword arguments of every call to a service, letting each call through:
    ``calls = service_calls(module, "name")``. Shows that a page and the API share one write
    path; views must call it as ``module.name(...)``."""

    def watch(module, name: str) -> list[dict]:  # noqa: ANN001
        calls: list[dict] = []
        real = getattr(module, name)

        def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls.append(kwargs)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
        return calls

    return watch
