from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tiering.models import ScoringRun
from tiering.services import RunBusy, run_execute, run_request


class Command(BaseCommand):
    help = "Recompute RFM scores and A1–C6 tiers for every account, as of a date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD")

    def handle(self, *args, as_of: date | None, **options) -> None:
        run = run_request(as_of=as_of, trigger="command line")
        steps = ["loaded", "scored", "snapshots written", "tiers published"]
        try:
            with tqdm(total=len(steps), desc=f"run #{run.pk} as of {run.as_of}", unit="step") as bar:
                run = run_execute(run_id=run.pk, progress=lambda name: (bar.set_postfix_str(name), bar.update(1)))
        except RunBusy as busy:
            # Left queued: the watchdog hands it to a Celery worker once it is silent long enough.
            raise CommandError(f"Run #{run.pk} stays queued: {busy}.") from None
        if run.status != ScoringRun.Status.SUCCEEDED:
            raise CommandError(f"Run #{run.pk} {run.status}: {run.error}")
        self.stdout.write(
            f"Run #{run.pk} as of {run.as_of}: {run.accounts_scored} accounts, {run.tier_changes} tier changes."
        )
