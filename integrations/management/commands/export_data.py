"""`python manage.py export_data KIND FILE`: accounts, contacts, orders or opportunities to .csv or .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.users import active_user
from integrations.spreadsheets import KINDS
from integrations.spreadsheets.exporting import csv_chunks, export_rows, write_xlsx
from integrations.spreadsheets.importing import system_user


class Command(BaseCommand):
    help = (
        "Export accounts, contacts, orders or opportunities to a .csv or .xlsx file (by its extension) that "
        "import_data reads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="Only what this user can see (default: everything).")

    def handle(self, *args: Any, kind: str, file: Path, user: str | None, **options: Any) -> None:
        if file.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError("The file must end in .csv or .xlsx.")
        actor = system_user() if user is None else active_user(user)
        rows = export_rows(kind, actor)
        try:
            if file.suffix.lower() == ".csv":
                with file.open("w", encoding="utf-8", newline="") as handle:
                    handle.writelines(csv_chunks(rows))
            else:
                with file.open("wb") as handle:
                    write_xlsx(rows, handle, title=kind)
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}") from None
        self.stdout.write(f"Wrote {file}.")
