"""Export any analyst list from the shell, with the same filters, search and ordering as the API, and a progress
bar. The rows come from ``ListSpec.filtered``, as in the API and background jobs."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from core import replicas
from core.errors import DomainError
from core.lists import specs, writers
from core.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Export a list: manage.py export outages.customers --format csv --filter state=active "
        "--fields account_id,sp_id --output customers.csv  (--list shows the lists and their columns)"
    )

    def add_arguments(self, parser):
        parser.add_argument("key", nargs="?", help="the list, e.g. outages.customers")
        parser.add_argument("--format", default="csv", choices=sorted(writers.FORMATS))
        parser.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE", help="repeatable")
        parser.add_argument("--ordering", default="", help="e.g. -created_at (the list's ordering filter)")
        parser.add_argument("--fields", default="", help="comma-separated column names")
        parser.add_argument("--output", "-o", default="-", help="file path, or - for standard output")
        parser.add_argument("--list", action="store_true", help="list the exportable lists")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if options["list"] or not options["key"]:
            for key, spec in sorted(specs.REGISTRY.items()):
                self.stdout.write(f"{key}: {', '.join(spec.column_names())}")
            return
        spec = specs.REGISTRY.get(options["key"])
        if spec is None:
            raise CommandError(f"Unknown list {options['key']!r}; --list shows them.")
        data = QueryDict(mutable=True)
        if options["ordering"]:
            data["ordering"] = options["ordering"]
        for item in options["filter"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter takes NAME=VALUE, got {item!r}")
            data.appendlist(name, value)
        try:
            queryset = replicas.reading(spec.filtered(data))  # from a read replica, if any (DATABASE_REPLICA_URL)
            columns = spec.select([n.strip() for n in options["fields"].split(",")])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        total = queryset.count()
        bar = progress_bar(total=total, unit="rows", disable=options["no_progress"], file=sys.stderr)

        def progress(done: int) -> None:
            bar.update(done - bar.n)

        fmt = options["format"]
        output = options["output"]
        try:
            if fmt == "xlsx":
                if output == "-":
                    raise CommandError("XLSX needs --output FILE.")
                with Path(output).open("wb") as handle:
                    writers.write_xlsx(queryset, columns, handle, progress=progress, title=spec.key)
            else:
                handle = sys.stdout if output == "-" else Path(output).open("w", newline="", encoding="utf-8")  # noqa: SIM115
                try:
                    for chunk in writers.STREAMERS[fmt](queryset, columns, progress=progress):
                        handle.write(chunk)
                finally:
                    if handle is not sys.stdout:
                        handle.close()
        finally:
            bar.close()
        if output != "-":
            self.stderr.write(f"{total:,} rows written to {output}")
