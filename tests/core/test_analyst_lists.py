"""Every analyst list (config/api_urls.py) on the demo data: pages with a constant number of queries, details,
filters and ordering, and whole-list exports in every format that agree with the filtered count."""

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from config.api_urls import router

ROUTES = [(prefix, viewset) for prefix, viewset, _basename in router.registry]
IDS = [prefix for prefix, _ in ROUTES]


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """Load the demo data once for the module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                call_command("load_demo", stdout=io.StringIO())
                yield
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def analyst(demo_data, db, analyst_user):
    client = APIClient()
    client.force_authenticate(analyst_user)
    return client


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=IDS)
def test_list_pages_keep_a_constant_number_of_queries(analyst, prefix, viewset):
    analyst.get(f"/api/{prefix}/?page_size=1")  # warm the user's permission cache
    counts = []
    for size in (2, 40):
        with CaptureQueriesContext(connection) as ctx:
            response = analyst.get(f"/api/{prefix}/?page_size={size}")
        assert response.status_code == 200, response.content
        counts.append(len(ctx.captured_queries))
    assert response.json()["count"] > 0, "the demo data should fill every analyst list"
    assert counts[0] == counts[1], f"queries grow with the page size: {counts}"
    assert counts[1] <= 8


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=IDS)
def test_detail_and_ordering(analyst, prefix, viewset):
    page = analyst.get(f"/api/{prefix}/?page_size=1").json()
    first = page["results"][0]
    lookup = first.get("id", first.get(viewset.lookup_field))
    assert analyst.get(f"/api/{prefix}/{lookup}/").status_code == 200
    field = viewset.ordering_fields[0]
    assert analyst.get(f"/api/{prefix}/?ordering=-{field}").status_code == 200


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=IDS)
def test_exports_in_every_format_are_the_whole_filtered_list(analyst, prefix, viewset):
    total = analyst.get(f"/api/{prefix}/?page_size=1").json()["count"]
    spec = viewset.export_spec

    response = analyst.get(f"/api/{prefix}/?format=csv")
    assert response.status_code == 200 and response.streaming
    rows = list(csv.reader(io.StringIO(_content(response).decode())))
    assert rows[0] == [c.header for c in spec.columns]
    assert len(rows) == total + 1

    array = json.loads(_content(analyst.get(f"/api/{prefix}/?format=json")))
    assert len(array) == total and set(array[0]) == set(spec.column_names())

    lines = _content(analyst.get(f"/api/{prefix}/?format=jsonl")).decode().strip().split("\n")
    assert len(lines) == total

    two = spec.column_names()[:2]
    narrow = list(
        csv.reader(io.StringIO(_content(analyst.get(f"/api/{prefix}/?format=csv&fields={','.join(two)}")).decode()))
    )
    assert narrow[0] == [c.header for c in spec.columns[:2]]


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES[:1], ids=IDS[:1])
def test_xlsx_export(analyst, prefix, viewset, tmp_path):
    total = analyst.get(f"/api/{prefix}/?page_size=1").json()["count"]
    response = analyst.get(f"/api/{prefix}/?format=xlsx")
    assert response.status_code == 200
    path = tmp_path / "list.xlsx"
    path.write_bytes(_content(response))
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == total + 1


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=IDS)
def test_integration_users_cannot_export(demo_data, db, integration_user, prefix, viewset):
    client = APIClient()
    client.force_authenticate(integration_user)
    assert client.get(f"/api/{prefix}/?format=csv").status_code == 403


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=IDS)
def test_hostile_filter_values_are_400_or_empty_never_500(analyst, prefix, viewset):
    import django_filters

    filters = viewset.export_spec.filterset_class.base_filters
    for name, f in filters.items():
        if isinstance(f, django_filters.NumberFilter | django_filters.ModelChoiceFilter):
            value = "99999999999999999999999999"
        elif isinstance(f, django_filters.IsoDateTimeFilter):
            value = "9574-01-17T09:27:38-21:53"  # an offset PostgreSQL refuses
        elif isinstance(f, django_filters.DateFilter):
            value = "0001-01-01"
        else:
            value = "\u00e9'; --"
        response = analyst.get(f"/api/{prefix}/", {name: value})
        assert response.status_code in (200, 400), (name, response.status_code, response.content[:200])
