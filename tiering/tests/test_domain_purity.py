"""`tiering.domain` is pure: it loads no Django, and its tests pass without pytest-django.

Both run in a fresh interpreter, so `make test` (one pytest command) also proves them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

IMPORT_EVERY_DOMAIN_MODULE = """
import importlib, pkgutil, sys
import tiering.domain
for module in pkgutil.walk_packages(tiering.domain.__path__, "tiering.domain."):
    importlib.import_module(module.name)
print(sorted(name for name in sys.modules if name == "django" or name.startswith("django.")))
"""


def _without_django_settings() -> dict[str, str]:
    # pytest-django exports DJANGO_SETTINGS_MODULE; a pure interpreter must not inherit it.
    return {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}


def test_importing_every_domain_module_loads_no_django() -> None:
    # when every module of tiering.domain is imported in a fresh interpreter
    done = subprocess.run(  # noqa: S603 - our own interpreter, a constant program
        [sys.executable, "-c", IMPORT_EVERY_DOMAIN_MODULE],
        cwd=ROOT,
        env=_without_django_settings(),
        capture_output=True,
        text=True,
        check=False,
    )

    # then it succeeded and no django module was loaded
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.strip() == "[]"


def test_the_domain_tests_pass_without_the_django_plugin() -> None:
    # when the domain tests run with pytest-django switched off
    done = subprocess.run(  # noqa: S603 - our own interpreter, constant arguments
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider", "-q", "tiering/tests/domain"],
        cwd=ROOT,
        env=_without_django_settings(),
        capture_output=True,
        text=True,
        check=False,
    )

    # then all of them passed, none skipped, without a warning
    last_line = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed in " in last_line
    assert [word for word in ("failed", "error", "skipped", "warning") if word in last_line] == []
