"""Archive, then delete, change records and delivery logs past their retention (CHANGES_RETENTION_DAYS,
DELIVERIES_RETENTION_DAYS; 0, the default, keeps everything). The beat runs the same daily."""

from django.core.management.base import BaseCommand

from core import context
from core.changes import retention


class Command(BaseCommand):
    help = "Archive (JSON Lines under CHANGES_ARCHIVE_DIR) and prune change records and delivery logs past retention."

    def add_arguments(self, parser):
        parser.add_argument("--changes-days", type=int, default=None, help="Override CHANGES_RETENTION_DAYS.")
        parser.add_argument("--deliveries-days", type=int, default=None, help="Override DELIVERIES_RETENTION_DAYS.")

    def handle(self, *args, **options):
        with context.bound(actor=context.command_actor("prune_changes")):
            result = retention.archive_and_prune(
                changes_days=options["changes_days"], deliveries_days=options["deliveries_days"]
            )
        self.stdout.write(
            f"archived and deleted {result['changes']} changes, {result['deliveries']} deliveries, "
            f"{result['attempts']} attempts"
        )
        for path in result["files"]:
            self.stdout.write(f"archive: {path}")
