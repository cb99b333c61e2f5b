"""The README's production steps run end to end on loopback (deploy/smoke.sh) and sign in."""

import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.postgres
@pytest.mark.redis
def test_the_production_steps_run_and_a_director_signs_in() -> None:
    # given the PostgreSQL server and the Redis database the suite runs on
    database = urlsplit(os.environ["DATABASE_URL"])
    server = f"{database.scheme}://{database.netloc}"
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it in this process; production never has it.
    ours = ("DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in ours}
    # when the script creates its own database and runs every step
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["bash", "deploy/smoke.sh"],  # noqa: S607
        cwd=ROOT,
        env={**env, "PG_SERVER": server},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # then it signed in behind the (simulated) TLS proxy, and every log line was in the documented format
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke_login: signed in as chief at https://kam.test/" in result.stdout
    assert "Created director 'chief'." in result.stdout
