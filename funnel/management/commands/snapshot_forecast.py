from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from funnel.services import snapshot_take


class Command(BaseCommand):
    help = "Record this week's forecast snapshot (every open opportunity); once per week."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--as-of", help="YYYY-MM-DD: the snapshot of the week containing that day.")

    def handle(self, *args, **options) -> None:
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError:
            raise CommandError("--as-of takes a date like 2026-07-17") from None
        snapshot, created = snapshot_take(as_of=as_of)
        if created:
            self.stdout.write(f"Week of {snapshot.week}: {snapshot.lines_count} opportunities recorded.")
        else:
            self.stdout.write(f"Week of {snapshot.week} already has its snapshot; nothing changed.")
