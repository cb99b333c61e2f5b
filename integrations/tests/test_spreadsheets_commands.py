"""`manage.py import_data` and `export_data`."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Order
from accounts.tests.factories import make_order

pytestmark = pytest.mark.django_db

HEADER = "external_id,account_external_id,ordered_at,amount,margin\n"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_data_writes_the_rows_and_prints_the_summary(world, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "SO-1,C-1,2026-03-02,1.00,0.10\nSO-2,C-2,2026-03-02,2.00,0.20\n", encoding="utf-8")
    out, err = run("import_data", "orders", str(path))
    assert "created 2, updated 0, unchanged 0, error 0, skipped 0" in out
    assert "2/2" in err  # the progress bar got to the end
    assert Order.objects.count() == 2


def test_import_data_lists_the_failed_rows_and_exits_non_zero(world, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "SO-1,C-1,2026-03-02,1.00,0.10\nSO-2,C-2,2026-03-02,2.00,0.20\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 row") as raised:
        call_command("import_data", "orders", str(path), "--user", "rep1", stdout=out, stderr=io.StringIO())
    assert raised.value.returncode == 1
    assert 'row 3 (SO-2): account_external_id: Account "C-2" does not exist.' in out.getvalue()
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SO-1"]


def test_import_data_dry_run_and_atomic_write_nothing(world, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "SO-1,C-1,2026-03-02,1.00,0.10\nSO-2,C-1,someday,2.00,0.20\n", encoding="utf-8")
    with pytest.raises(CommandError):
        run("import_data", "orders", str(path), "--dry-run")
    with pytest.raises(CommandError):
        run("import_data", "orders", str(path), "--atomic")
    assert not Order.objects.exists()


def test_import_data_refuses_an_unreadable_file_or_unknown_user(world, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot open"):
        run("import_data", "orders", str(tmp_path / "missing.csv"))
    path = tmp_path / "orders.csv"
    path.write_text("external_id\nSO-1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Required columns are missing"):
        run("import_data", "orders", str(path))
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run("import_data", "orders", str(path), "--user", "nobody")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_data_writes_a_file_that_import_data_reads_back_unchanged(world, tmp_path: Path, suffix: str) -> None:
    make_order(world.account, date(2026, 3, 2), "12500.00", "3100.00", external_id="SO-1")
    make_order(world.other_account, date(2026, 3, 2), "1.00", "0.00", external_id="SO-2")
    path = tmp_path / f"orders.{suffix}"
    run("export_data", "orders", str(path), "--user", "rep1")
    out, _err = run("import_data", "orders", str(path), "--user", "rep1")
    assert "created 0, updated 0, unchanged 1, error 0" in out
