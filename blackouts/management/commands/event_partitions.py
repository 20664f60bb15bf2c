"""Create the coming months' event partitions and drop those past retention, as the beat does hourly
(``blackouts.tasks.event_partitions_maintain``; docs/blackouts.md, "Event table partitions")."""

from django.core.management.base import BaseCommand

from blackouts import partitions


class Command(BaseCommand):
    help = "Create the event table's coming monthly partitions (PostgreSQL) and drop those past retention."

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=partitions.AHEAD_MONTHS, help="Months to create ahead.")
        parser.add_argument("--retention-days", type=int, default=None, help="Override EVENTS_RETENTION_DAYS.")

    def handle(self, *args, **options):
        created = partitions.partitions_ensure(ahead=options["ahead"])
        expired = partitions.partitions_drop_expired(retention_days=options["retention_days"])
        self.stdout.write(f"created {len(created)} partitions: {', '.join(created) or '-'}")
        self.stdout.write(
            f"dropped {len(expired['partitions'])} partitions ({expired['events']} events): "
            f"{', '.join(expired['partitions']) or '-'}"
        )
