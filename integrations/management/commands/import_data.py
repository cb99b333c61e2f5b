"""`python manage.py import_data KIND FILE`: a CSV or XLSX file through the bulk upsert service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from accounts.management.users import active_user
from accounts.models import User
from integrations.spreadsheets import KINDS
from integrations.spreadsheets.importing import Report, apply, check, system_user
from integrations.spreadsheets.reading import SpreadsheetError, read_table

MAX_LISTED_ERRORS = 1_000  # a broken 50,000-row file should not scroll the terminal for minutes


class Command(BaseCommand):
    help = (
        "Import accounts, contacts, orders or opportunities from a .csv or .xlsx file, validated and written like "
        "the bulk API (keyed on external_id). Exits with status 1 if any row failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            help="Import as this user: only accounts they can see, and new accounts are theirs. "
            "Without it the import sees and may change every account.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every row and write nothing.")
        parser.add_argument(
            "--atomic", action="store_true", help="All or nothing: any invalid row and nothing is written."
        )

    def handle(
        self, *args: Any, kind: str, file: Path, user: str | None, dry_run: bool, atomic: bool, **options: Any
    ) -> None:
        actor = self._user(user)
        try:
            with file.open("rb") as handle:
                table = read_table(kind, handle, file.name)
        except OSError as error:
            raise CommandError(f"Cannot open {file}: {error.strerror}") from None
        except SpreadsheetError as error:
            raise CommandError(f"{file}: {error}") from None
        if table.ignored:
            self.stderr.write(f"Not imported (no such field): {', '.join(table.ignored)}")
        progress = tqdm(
            total=len(table.rows), unit="row", file=self.stderr, disable=options["verbosity"] == 0, desc=kind
        )
        with progress:
            if dry_run:
                report = check(kind, actor, table.rows, table.headers, on_batch=progress.update)
            else:
                report = apply(kind, actor, table.rows, table.headers, atomic=atomic, on_batch=progress.update)
        self._print(report, dry_run=dry_run)
        if report.failed:
            raise CommandError(f"{report.failed} row(s) failed.", returncode=1)

    def _user(self, username: str | None) -> User:
        if username is None:
            return system_user()
        return active_user(username)

    def _print(self, report: Report, *, dry_run: bool) -> None:
        for row in report.problems()[:MAX_LISTED_ERRORS]:
            for column, reasons in row.errors.items():
                where = f"row {row.number}" + (f" ({row.external_id})" if row.external_id else "")
                self.stdout.write(f"{where}: {column + ': ' if column else ''}{' '.join(reasons)}")
        if len(report.problems()) > MAX_LISTED_ERRORS:
            self.stdout.write(f"... and {len(report.problems()) - MAX_LISTED_ERRORS} more rows with problems.")
        summary = ", ".join(f"{key} {count}" for key, count in report.summary.items())
        self.stdout.write(("Dry run, nothing written: " if dry_run else "") + summary)
