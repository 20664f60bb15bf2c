"""Master-data import on the demo data: every importable model's list, exported in each format, imports back
as a no-op (generated over the import registry); standalone services are created without an id."""

import io

import pytest

from core.imports import specs
from core.imports.engine import run_import
from core.lists import writers

SPECS = sorted(specs.REGISTRY.values(), key=lambda s: s.label)
IDS = [s.label for s in SPECS]


def _export(spec, fmt) -> bytes:
    queryset = spec.list_spec.base_queryset()
    columns = list(spec.list_spec.columns)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        writers.write_xlsx(queryset, columns, buffer)
        return buffer.getvalue()
    return "".join(writers.STREAMERS[fmt](queryset, columns)).encode()


def _snapshot(model):
    return sorted(model._default_manager.values_list(), key=str)


def _import(label, content, fmt="csv", **options):
    return run_import(specs.get_spec(label), io.BytesIO(content.encode()), fmt=fmt, **options)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "jsonl"])
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_an_exported_list_imports_back_as_a_no_op(demo_data, spec, fmt):
    before = _snapshot(spec.model)
    assert before, f"the demo data should have {spec.label} rows"
    report = run_import(spec, io.BytesIO(_export(spec, fmt)), fmt=fmt)
    assert report.ok, list(report.lines())
    assert (report.created, report.updated, report.refused) == (0, 0, 0)
    assert report.unchanged == report.rows == len(before)
    assert _snapshot(spec.model) == before


@pytest.mark.django_db
def test_a_service_without_id_is_created_and_an_unknown_id_refused(demo_data):
    from inventory.models import Service

    count = Service.objects.count()
    report = _import(
        "inventory.Service",
        "id,name,category,state,specification,start_date,end_date\n"
        ",Standalone,CFS,designed,Broadband_Internet_Access_CFS,2026-01-01T00:00:00Z,\n"
        "99999999,Ghost,CFS,designed,Broadband_Internet_Access_CFS,,\n"
        ",Backwards,CFS,designed,Broadband_Internet_Access_CFS,2026-02-01T00:00:00Z,2026-01-01T00:00:00Z\n",
        apply_valid=True,
    )
    assert report.created == 1 and Service.objects.count() == count + 1
    assert [(r.line, r.column) for r in report.refusals] == [(3, "id"), (4, "end_date")]
