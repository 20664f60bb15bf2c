"""Every analyst list (every registered ListSpec, routed by config/api_urls.py) on the demo data.

One declaration per list: page keys, JSON / JSON Lines export keys and the names ``fields=`` accepts are the same
set, the CSV/XLSX headers are the columns' headers in the same order, and a page row equals its export row. Pages
run a constant number of queries and match the published OpenAPI schema; filters behave the same on every list
(bounded date-times, case-insensitive ``search`` over the text columns shown, padded codes without padding).
"""

import csv
import io
import json
from datetime import datetime

import jsonschema
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from config.api_urls import router
from core.filters import DateTimeFilter, SearchFilter
from core.lists import specs

csv.field_size_limit(2**31 - 1)  # the outage message log's raw payloads are long cells
ROUTES = [(prefix, viewset.spec) for prefix, viewset, _basename in router.registry]
IDS = [prefix for prefix, _ in ROUTES]
# What Python and the databases cannot hold once in UTC (issue 15: these were 500s on every list).
OUT_OF_RANGE = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59"]


@pytest.fixture
def analyst(demo_data, db, analyst_user):
    client = APIClient()
    client.force_authenticate(analyst_user)
    return client


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(node):
    """OpenAPI 3.0 to JSON Schema: ``nullable: true`` means null is also valid."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_content(response).decode())))


def test_every_list_is_routed():
    assert sorted(IDS) == sorted(spec.path for spec in specs.REGISTRY.values() if spec.key != "tests.users")
    assert len(IDS) == 23


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_list_pages_keep_a_constant_number_of_queries(analyst, prefix, spec):
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


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_page_export_and_fields_share_one_set_of_names(analyst, prefix, spec):
    """The proof of one declaration: page keys == json keys == jsonl keys == fields= names; CSV/XLSX headers are
    the same columns' headers, in the same order; and a page row is the same object as its export row."""
    names = spec.column_names()
    page = analyst.get(f"/api/{prefix}/?page_size=5")
    assert page.status_code == 200
    rows = page.json()["results"]
    assert all(list(row) == names for row in rows)

    array = json.loads(_content(analyst.get(f"/api/{prefix}/?format=json")))
    assert all(list(obj) == names for obj in array)
    assert array[: len(rows)] == rows, "a page row and its JSON export row differ"

    lines = _content(analyst.get(f"/api/{prefix}/?format=jsonl")).decode().strip().split("\n")
    assert [list(json.loads(line)) for line in lines[:5]] == [names] * min(5, len(lines))
    assert json.loads(lines[0]) == rows[0]

    table = _csv(analyst.get(f"/api/{prefix}/?format=csv"))
    assert table[0] == [spec.column(name).header for name in names]
    assert len(table) == len(array) + 1 == page.json()["count"] + 1

    for name in names:  # fields= takes exactly the page's keys, on pages and on exports
        narrowed = analyst.get(f"/api/{prefix}/", {"fields": name, "page_size": 2})
        assert narrowed.status_code == 200, (name, narrowed.content)
        assert all(list(row) == [name] for row in narrowed.json()["results"])
        exported = _content(analyst.get(f"/api/{prefix}/", {"fields": name, "format": "jsonl"})).decode()
        assert list(json.loads(exported.split("\n")[0])) == [name]
    refused = analyst.get(f"/api/{prefix}/", {"fields": "notAColumn", "format": "csv"})
    assert refused.status_code == 400 and "notAColumn" in refused.json()["fields"][0]


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_detail_and_every_ordering(analyst, prefix, spec):
    first = analyst.get(f"/api/{prefix}/?page_size=1").json()["results"][0]
    detail = analyst.get(f"/api/{prefix}/{first['id']}/")
    assert detail.status_code == 200 and detail.json() == first
    assert analyst.get(f"/api/{prefix}/{first['id']}/?fields=id").json() == {"id": first["id"]}
    assert analyst.get(f"/api/{prefix}/not-an-id-99999999999999999999/").status_code == 404
    assert spec.orderings, "every list offers orderings"
    for name in spec.orderings:
        for value in (name, f"-{name}"):
            response = analyst.get(f"/api/{prefix}/", {"ordering": value, "page_size": 3})
            assert response.status_code == 200, (value, response.content)
    assert analyst.get(f"/api/{prefix}/", {"ordering": "notAColumn"}).status_code == 400


def test_ordering_applies_to_pages_and_exports(analyst):
    # Compared as instants, not strings: a stamp on a whole second is written without a fraction
    # ("…:30Z" sorts after "…:30.02Z" as text).
    page = analyst.get("/api/blackouts/events/?ordering=received_at").json()["results"]
    ascending = [datetime.fromisoformat(r["received_at"]) for r in page]
    assert len(ascending) > 1
    assert ascending == sorted(ascending)
    exported = json.loads(_content(analyst.get("/api/blackouts/events/?ordering=-received_at&format=json")))
    stamps = [datetime.fromisoformat(row["received_at"]) for row in exported]
    assert len(stamps) > 1
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_pages_match_the_published_schema(analyst, openapi, prefix, spec):
    operation = openapi["paths"][f"/api/{prefix}"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    document = _json_schema({**schema, "components": openapi["components"]})
    for params in ({"page_size": 1000}, {"page_size": 1000, "ordering": f"-{spec.orderings[0]}"}):
        body = analyst.get(f"/api/{prefix}/", params).json()
        jsonschema.validate(body, document)
    array = json.loads(_content(analyst.get(f"/api/{prefix}/?format=json")))
    jsonschema.validate(array, document)


def test_blackout_event_without_policy_matches_the_schema(analyst, openapi):
    """Issue 15 item 10: `blackout_policy_name: null` broke the published schema (it said string)."""
    row = openapi["components"]["schemas"]["EventList"]["properties"]["blackout_policy_name"]
    assert row.get("nullable") is True
    rows = analyst.get("/api/blackouts/events/?page_size=1000").json()["results"]
    assert any(r["blackout_policy_name"] is None for r in rows), "the demo data has events no policy blacked out"


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_xlsx_export_has_the_same_headers_and_rows(analyst, prefix, spec, tmp_path):
    total = analyst.get(f"/api/{prefix}/?page_size=1").json()["count"]
    response = analyst.get(f"/api/{prefix}/?format=xlsx")
    assert response.status_code == 200
    path = tmp_path / "list.xlsx"
    path.write_bytes(_content(response))
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in spec.columns]
    assert len(rows) == total + 1


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_integration_users_cannot_export(demo_data, db, integration_user, prefix, spec):
    client = APIClient()
    client.force_authenticate(integration_user)
    assert client.get(f"/api/{prefix}/?format=csv").status_code == 403


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_hostile_filter_values_are_400_or_empty_never_500(analyst, prefix, spec):
    import django_filters

    for name, f in spec.filterset_class.base_filters.items():
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


def _has_date_times(spec) -> bool:
    from django.db.models import DateTimeField

    return any(isinstance(spec.final_field(c), DateTimeField) for c in spec.columns)


# Lists with a date-time column (master-data lists such as premises have none, so no date-time filter either).
DATED = [(prefix, spec) for prefix, spec in ROUTES if _has_date_times(spec)]


@pytest.mark.parametrize(("prefix", "spec"), DATED, ids=[prefix for prefix, _ in DATED])
def test_out_of_range_date_times_are_400_on_every_date_time_filter(analyst, prefix, spec):
    """Issue 15 item 4: year 1 at +14:00 and year 9999 at -23:59 were 500s on all 11 lists."""
    date_filters = [
        name for name, f in spec.filterset_class.base_filters.items() if isinstance(f, django_filters_datetime())
    ]
    assert date_filters, f"{prefix} has no date-time filter"
    for name in date_filters:
        assert isinstance(spec.filterset_class.base_filters[name], DateTimeFilter), f"{name}: not the bounded filter"
        for value in OUT_OF_RANGE:
            for extra in ({}, {"format": "csv"}):
                response = analyst.get(f"/api/{prefix}/", {name: value, **extra})
                assert response.status_code == 400, (name, value, response.status_code)
                assert name in response.json()
        in_range = analyst.get(f"/api/{prefix}/", {name: "2025-02-06T10:00:00+14:00"})
        assert in_range.status_code == 200


def django_filters_datetime():
    import django_filters

    return (django_filters.IsoDateTimeFilter, django_filters.DateTimeFilter)


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_search_is_contains_across_every_text_column_shown(analyst, prefix, spec):
    search = spec.filterset_class.base_filters.get("search")
    assert isinstance(search, SearchFilter), f"{prefix} has no search"
    missing = set(spec.text_lookups()) - set(search.lookups)
    assert not missing, f"{prefix}: search ignores the text columns {missing}"
    rows = json.loads(_content(analyst.get(f"/api/{prefix}/?format=json")))
    by_lookup = {c.lookup: c.name for c in spec.columns}
    for lookup in spec.text_lookups():
        value = next((r[by_lookup[lookup]] for r in rows if len(r[by_lookup[lookup]] or "") >= 3), None)
        if value is None:
            continue
        middle = value[1:-1] if len(value) > 3 else value
        term = middle.swapcase() if middle.swapcase() != middle else middle
        found = analyst.get(f"/api/{prefix}/", {"search": term, "page_size": 1000, "fields": "id"}).json()
        expected = {r["id"] for r in rows if term.lower() in (r[by_lookup[lookup]] or "").lower()}
        assert expected <= {r["id"] for r in found["results"]}, (lookup, term)


def test_padded_codes_filter_with_or_without_their_padding(analyst):
    """Issue 14 item 4: `delivery_channel=SMS` was a 400; only `SMS%20` worked."""
    padded = analyst.get("/api/contacts/contacts/", {"delivery_channel": "SMS "})
    bare = analyst.get("/api/contacts/contacts/", {"delivery_channel": "SMS"})
    assert bare.status_code == 200 and padded.status_code == 200
    assert bare.json()["count"] == padded.json()["count"] > 0
    assert all(r["delivery_channel"] == "SMS " for r in bare.json()["results"])
    assert analyst.get("/api/contacts/contacts/", {"origin": "NMS"}).status_code == 200
    assert analyst.get("/api/contacts/contacts/", {"delivery_channel": "PIGEON"}).status_code == 400


def test_contacts_search_is_no_longer_exact(analyst):
    contact = analyst.get("/api/contacts/contacts/?page_size=1").json()["results"][0]
    partial = contact["account_id"][2:-2]
    found = analyst.get("/api/contacts/contacts/", {"search": partial, "fields": "id", "page_size": 1000}).json()
    assert contact["id"] in {r["id"] for r in found["results"]}


def test_blackout_event_search_covers_the_host_name(analyst):
    rows = json.loads(_content(analyst.get("/api/blackouts/events/?format=json&fields=id,source_hostname")))
    row = next(r for r in rows if r["source_hostname"])
    found = analyst.get("/api/blackouts/events/", {"search": row["source_hostname"].upper(), "page_size": 1000})
    assert row["id"] in {r["id"] for r in found.json()["results"]}


def _typed_filters(spec) -> dict:
    """One filter of each kind the list has, by schema type: {kind: parameter name}."""
    import django_filters

    from core.lists.api import _is_text

    out = {}
    for name, filter_ in spec.filterset_class.base_filters.items():
        if isinstance(filter_, django_filters.BooleanFilter):
            out.setdefault("boolean", name)
        elif not _is_text(filter_):
            out.setdefault("typed", name)
    return out


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_a_query_the_schema_refuses_is_a_400_naming_the_parameter(analyst, prefix, spec):
    """Item 10 of issue 15: empty typed values, page_size=null, a boolean spelt null were silently ignored."""
    kinds = _typed_filters(spec)
    refused = [
        {"page_size": "null"},
        {"page_size": "0"},
        {"page_size": "1001"},
        {"page": "-1", "format": "csv"},
        {"page": "99999999999"},
        {"format": ""},
        {"fields": ""},
        {"fields": "id,,id"},
    ]
    if "typed" in kinds:
        refused.append({kinds["typed"]: ""})
    if "boolean" in kinds:
        refused += [{kinds["boolean"]: "null"}, {kinds["boolean"]: ["true", "false"]}]
    for params in refused:
        response = analyst.get(f"/api/{prefix}/", params)
        assert response.status_code == 400, (params, response.content[:200])
        assert set(response.json()) == {next(iter(params))}, response.json()
    accepted = [{"page_size": "1000"}, {"ordering": ""}, {"fields": "id"}]
    if "boolean" in kinds:
        accepted.append({kinds["boolean"]: "false"})
    for params in accepted:
        assert analyst.get(f"/api/{prefix}/", params).status_code == 200, params


def _multiple_choice(spec):
    import django_filters

    for name, filter_ in spec.filterset_class.base_filters.items():
        if isinstance(filter_, django_filters.MultipleChoiceFilter):
            return name, [str(key) for key, _label in filter_.field.choices if key != ""]
    return None, []


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_multi_value_parameters_take_both_spellings(analyst, prefix, spec):
    """Issue 23 item 5: generators repeat ``ordering`` (a 400 "Give this parameter once") and the repeatable
    choices refused the comma form. Both spellings now mean the same, on every list."""
    first, second = spec.orderings[-1], spec.orderings[0]  # e.g. status, then id descending
    query = {"page_size": 1000, "fields": "id"}
    repeated = analyst.get(f"/api/{prefix}/", {**query, "ordering": [first, f"-{second}"]})
    commas = analyst.get(f"/api/{prefix}/", {**query, "ordering": f"{first},-{second}"})
    assert repeated.status_code == commas.status_code == 200, repeated.content[:300]
    assert [r["id"] for r in repeated.json()["results"]] == [r["id"] for r in commas.json()["results"]]
    assert analyst.get(f"/api/{prefix}/", {"ordering": [first, "notAColumn"]}).status_code == 400
    fields = analyst.get(f"/api/{prefix}/", {"page_size": 1, "fields": ["id", first]}).json()["results"][0]
    assert list(fields) == list(dict.fromkeys(["id", first]))
    name, choices = _multiple_choice(spec)
    if name is None:
        return  # the list has no repeatable choice (test_some_lists_have_repeatable_choices)
    pair = choices[:2]
    as_list = analyst.get(f"/api/{prefix}/", {**query, name: pair})
    as_commas = analyst.get(f"/api/{prefix}/", {**query, name: ",".join(pair)})
    assert as_list.status_code == as_commas.status_code == 200, as_commas.content[:300]
    assert as_list.json()["count"] == as_commas.json()["count"]
    alone = sum(analyst.get(f"/api/{prefix}/", {**query, name: choice}).json()["count"] for choice in pair)
    assert as_commas.json()["count"] == alone
    assert analyst.get(f"/api/{prefix}/", {name: f"{pair[0]},notAChoice"}).status_code == 400


def test_the_two_spellings_order_the_same_in_exports(analyst):
    repeated = _csv(analyst.get("/api/outages/events/?format=csv&ordering=-impacted_customers&ordering=id"))
    commas = _csv(analyst.get("/api/outages/events/?format=csv&ordering=-impacted_customers,id"))
    assert len(repeated) > 2 and repeated == commas


def test_some_lists_have_repeatable_choices():
    assert [prefix for prefix, spec in ROUTES if _multiple_choice(spec)[0]], "the comma spelling would go untested"


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_export_media_types_are_described_as_what_they_are(analyst, openapi, prefix, spec):
    """Issue 23: the CSV, XLSX and JSON Lines answers declared the page's JSON schema. They are a text, a
    workbook and lines of rows; and the answers are those (a CSV parses, an XLSX opens, each line is a row)."""
    content = openapi["paths"][f"/api/{prefix}"]["get"]["responses"]["200"]["content"]
    assert content["text/csv"]["schema"]["type"] == "string"
    xlsx = content["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]["schema"]
    assert xlsx == {**xlsx, "type": "string", "format": "binary"}
    assert content["application/x-ndjson"]["schema"]["type"] == "string"
    assert "$ref" in json.dumps(content["application/json"]) and "$ref" in json.dumps(content["application/xml"])
    lines = _content(analyst.get(f"/api/{prefix}/?format=jsonl&fields=id")).decode().splitlines()
    assert lines and all(set(json.loads(line)) == {"id"} for line in lines)
    assert _csv(analyst.get(f"/api/{prefix}/?format=csv&fields=id"))[0] == [spec.columns[0].header]
