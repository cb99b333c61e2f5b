import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_startup_fails_loudly_without_a_secret_key_outside_debug() -> None:
    result = run_check()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_may_run_without_a_secret_key() -> None:
    assert run_check(DEBUG="1").returncode == 0


def test_a_malformed_boolean_is_refused() -> None:
    result = run_check(DEBUG="maybe")
    assert "DEBUG must be a boolean" in result.stderr
