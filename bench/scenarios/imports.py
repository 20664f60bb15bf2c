"""Master-data import (``core/imports``) of premises and their service points from CSV files, vs a raw ``COPY`` of
the same rows in the same run.

Two scenarios, each in its own process so each peak RSS is its own: 100,000 and 1,000,000 service points (with
as many premises). Each imports the premises file then the service points file (all created), then imports both
again (all unchanged: what a nightly refresh from the CIS mostly is). The baseline is ``COPY … FROM STDIN`` of
the same two files into tables of the same columns (no validation, no matching, no derived keys): the floor of
what PostgreSQL can load. Goals (issue #25): a first load (all created) at ≥ 0.5 of the rows/s of ``COPY`` into a
table with the premise model's indexes (the ``vs_indexed_copy`` note), a refresh (all unchanged) at ≥ 0.5 of the
plain ``COPY``'s (the ratio column); memory flat (1M at most 1.2 x 100k).

On SQLite (no COPY) only the import runs (row by row). ``IMPORT_BENCH_ROW_PATH=1`` adds the same two imports with
PostgreSQL's set-based path switched off (the row-by-row engine every other file takes), on emptied tables.
``IMPORT_BENCH_DJANGO_IMPORT_EXPORT=1`` adds django-import-export on the premises file, when it is installed (it is
not a dependency).
"""

import csv
import os
import tempfile
import time

from bench.harness import Result, peak_rss_mb, scenario
from bench.support import fresh_database

PREMISE_COLUMNS = [
    "cis_premise_id",
    "address1",
    "address2",
    "address3",
    "address4",
    "city",
    "county",
    "state",
    "postal",
    "country",
    "division",
    "time_zone",
]
POINT_COLUMNS = ["cis_service_point_id", "cis_premise_id", "service_type"]
CITIES = ["Springfield", "Riverside", "Fairview", "Franklin", "Greenville", "Bristol", "Clinton", "Madison"]


def _write_files(rows: int, folder: str) -> tuple[str, str]:
    premises = os.path.join(folder, "premises.csv")
    points = os.path.join(folder, "service-points.csv")
    with open(premises, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(PREMISE_COLUMNS)
        for i in range(rows):
            city = CITIES[i % len(CITIES)]
            street = f"{i % 9999 + 1} Main Street"
            postal = f"{90000 + i % 9999}"
            writer.writerow([f"P{i:010d}", street, "", "", "", city, "County", "CA", postal, "USA", "CA", "US/Pacific"])
    with open(points, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(POINT_COLUMNS)
        for i in range(rows):
            writer.writerow([f"SP{i:010d}", f"P{i:010d}", "E"])
    return premises, points


def _copy_baseline(rows: int, premises: str, points: str) -> Result | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_copy_premise (" + ", ".join(f"{c} varchar(254)" for c in PREMISE_COLUMNS) + ")"
        )
        cursor.execute("CREATE TABLE bench_copy_point (" + ", ".join(f"{c} varchar(60)" for c in POINT_COLUMNS) + ")")
        start = time.perf_counter()
        for table, path in (("bench_copy_premise", premises), ("bench_copy_point", points)):
            with (
                open(path, "rb") as handle,
                cursor.cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER)") as copy,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_copy_premise, bench_copy_point")
    return Result(_name(rows), "COPY FROM STDIN, both files (baseline)", 2 * rows, seconds, "rows/s", baseline=True)


def _copy_indexed(rows: int, premises: str) -> Result | None:
    """``COPY`` of the premises file into a table with the premise model's own indexes (a reference, not the goal's
    baseline): what storing rows costs before any checking, since every import row lands in indexed tables."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        return None
    columns = ", ".join(PREMISE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy_premise_indexed (LIKE enrollments_premise INCLUDING ALL)")
        cursor.execute("ALTER TABLE bench_copy_premise_indexed ALTER COLUMN address_key SET DEFAULT ''")
        start = time.perf_counter()
        with transaction.atomic(), open(premises, "rb") as handle:
            options = f"FORMAT csv, HEADER, FORCE_NOT_NULL ({columns})"
            sql = f"COPY bench_copy_premise_indexed ({columns}) FROM STDIN ({options})"
            with cursor.cursor.copy(sql) as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_copy_premise_indexed")
    return Result(
        _name(rows), "COPY FROM STDIN, premises file, into a table with the model's indexes", rows, seconds, "rows/s"
    )


def _name(rows: int) -> str:
    return f"import-{rows // 1000}k" if rows < 1_000_000 else f"import-{rows // 1_000_000}m"


def _import(rows: int, premises: str, points: str, variant: str, expect: str, *, set_based: bool = True) -> Result:
    from core.imports.engine import Importer
    from core.imports.specs import get_spec

    start = time.perf_counter()
    reports, paths = [], set()
    for label, path in (("enrollments.Premise", premises), ("enrollments.ServicePoint", points)):
        with open(path, "rb") as handle:
            importer = Importer(get_spec(label), "csv", set_based=set_based)  # set_based=True: what import_records runs
            reports.append(importer.run(handle))
            paths.add(importer.path)
    seconds = time.perf_counter() - start
    for report in reports:
        if not report.ok or getattr(report, expect) != rows:
            raise RuntimeError(f"{variant}: {report.summary()}")
    variant += f" ({', '.join(sorted(paths))} path)"
    return Result(_name(rows), variant, 2 * rows, seconds, "rows/s", peak_rss_mb=peak_rss_mb())


def _django_import_export(rows: int, points: str) -> list[Result]:
    """The premises file through django-import-export (``ModelResource.import_data``, in one transaction) into an
    emptied table (all created), then again (all unchanged, ``skip_unchanged``): the second comparison the issue
    asks for. Needs the package installed (``pip install django-import-export``; not a project dependency)."""
    if os.environ.get("IMPORT_BENCH_DJANGO_IMPORT_EXPORT") != "1":
        return []
    try:
        from import_export import resources  # type: ignore[import-not-found]
        from tablib import Dataset  # type: ignore[import-not-found]
    except ImportError:
        return []
    from django.db import connection

    from enrollments.models import Premise

    class PremiseResource(resources.ModelResource):
        class Meta:
            model = Premise
            import_id_fields = ("cis_premise_id",)
            fields = tuple(PREMISE_COLUMNS)
            skip_unchanged = True

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE enrollments_servicepoint, enrollments_premise CASCADE")
    out = []
    for variant, expect in (("premises file: all created", "new"), ("premises file again: all unchanged", "skip")):
        start = time.perf_counter()
        with open(points.replace("service-points", "premises"), encoding="utf-8") as handle:
            dataset = Dataset().load(handle.read(), format="csv")
        result = PremiseResource().import_data(dataset, dry_run=False, use_transactions=True)
        seconds = time.perf_counter() - start
        if result.has_errors() or result.totals.get(expect) != rows:
            raise RuntimeError(f"django-import-export {variant}: {dict(result.totals)}")
        out.append(
            Result(_name(rows), f"django-import-export, {variant}", rows, seconds, "rows/s", peak_rss_mb=peak_rss_mb())
        )
    return out


def _run(rows: int) -> list[Result]:
    fresh_database()
    folder = tempfile.mkdtemp(prefix="bench-import-")
    premises, points = _write_files(rows, folder)
    results = []
    baseline = _copy_baseline(rows, premises, points)
    if baseline:
        results.append(baseline)
        results.append(_copy_indexed(rows, premises))
    created = _import(rows, premises, points, "import_records, both files: all created", "created")
    if baseline:  # issue #25's goal for a first load: its rows/s against COPY into the model's indexed table
        indexed = results[-1]
        created.extra["vs_indexed_copy"] = f"{created.rate / indexed.rate:.2f}"
    results.append(created)
    results.append(_import(rows, premises, points, "import_records again: all unchanged", "unchanged"))
    if os.environ.get("IMPORT_BENCH_ROW_PATH") == "1":  # the row-by-row engine on the same files, for comparison
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE enrollments_servicepoint, enrollments_premise CASCADE")
        for variant, expect in (("both files: all created", "created"), ("again: all unchanged", "unchanged")):
            results.append(_import(rows, premises, points, f"row path only, {variant}", expect, set_based=False))
    results.extend(_django_import_export(rows, points))
    for path in (premises, points):
        os.unlink(path)
    return results


@scenario("import-100k")
def import_100k() -> list[Result]:
    return _run(100_000)


@scenario("import-1m")
def import_1m() -> list[Result]:
    return _run(1_000_000)
