"""`plans.domain` is pure: importing it loads no Django (checked in a fresh interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

IMPORT_EVERY_DOMAIN_MODULE = """
import importlib, pkgutil, sys
import plans.domain
for module in pkgutil.walk_packages(plans.domain.__path__, "plans.domain."):
    importlib.import_module(module.name)
print(sorted(name for name in sys.modules if name == "django" or name.startswith("django.")))
"""


def test_importing_every_domain_module_loads_no_django() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(  # noqa: S603 - our own interpreter, a constant program
        [sys.executable, "-c", IMPORT_EVERY_DOMAIN_MODULE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr, done.stdout.strip()) == (0, "", "[]")
