"""Import master data from a file into a model, through its import spec (``<app>/imports.py``), with a progress
bar; prints the report and exits non-zero when the file or any row is refused."""

import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import context
from core.errors import DomainError
from core.imports import readers, specs
from core.imports.engine import run_import
from core.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Import records from a CSV, XLSX, JSON or JSON Lines file: manage.py import_records "
        "enrollments.ServicePoint service-points.csv [--dry-run] [--apply-valid]  (--list shows the models)"
    )

    def add_arguments(self, parser):
        parser.add_argument("model", nargs="?", help="app_label.ModelName, e.g. enrollments.ServicePoint")
        parser.add_argument("file", nargs="?", help="the file to import")
        parser.add_argument("--format", choices=readers.FORMATS, help="default: from the file name's extension")
        parser.add_argument("--dry-run", action="store_true", help="judge every row, write nothing")
        parser.add_argument("--apply-valid", action="store_true", help="write the valid rows even if some are refused")
        parser.add_argument("--list", action="store_true", help="list the importable models and their columns")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if options["list"] or not options["model"]:
            for spec in sorted(specs.REGISTRY.values(), key=lambda s: s.label):
                key = ", ".join(spec.natural_key)
                self.stdout.write(f"{spec.label} (key: {key}): {', '.join(spec.column_names())}")
            return
        if not options["file"]:
            raise CommandError("Name the file to import.")
        try:
            spec = specs.get_spec(options["model"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            fmt = readers.detect_format(path.name, options["format"])
        except readers.FileRefused as exc:
            raise CommandError(exc.message) from None
        size = os.path.getsize(path)
        bar = progress_bar(total=size, unit="B", unit_scale=True, disable=options["no_progress"], file=sys.stderr)
        with path.open("rb") as handle:

            def progress(rows: int) -> None:
                bar.set_postfix_str(f"{rows:,} rows", refresh=False)
                bar.update(handle.tell() - bar.n)

            with context.bound(actor=context.command_actor("import_records")):
                report = run_import(
                    spec,
                    handle,
                    fmt=fmt,
                    dry_run=options["dry_run"],
                    apply_valid=options["apply_valid"],
                    progress=progress,
                )
        bar.close()
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("The file was refused." if report.file_error else f"{report.refused:,} rows refused.")
