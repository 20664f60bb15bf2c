"""The schema check of blackout input (``blackouts/schema_validation.py``, jsonschema-rs) finds the errors
``jsonschema`` found — the same verdict, paths, keywords, values, order and messages — on generated documents: the
product dropped ``jsonschema``, and both the wire's validation lists (``blackouts/api/bmc.py``) and the policy
validator's messages (``policy_input``) are built from these errors, so neither changed a byte.

``jsonschema`` stays a development dependency, as this reference (and the reference validator of a few schema
tests); ``test_the_product_does_not_import_jsonschema`` proves the product no longer imports it.
"""

import copy
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from blackouts import policy_input, spec_examples
from blackouts.api import bmc, schemas
from blackouts.schema_validation import schema_errors

REQUEST_SCHEMAS = {
    "events": schemas.EVENTS,
    "ids": schemas.IDS,
    "search": schemas.SEARCH,
    "policy": schemas.POLICY,
    "timeframe": policy_input.TIMEFRAME,
}


def _reference(document, schema) -> list[tuple]:
    """What the product used before: jsonschema's errors, sorted by path (stable: jsonschema's own order after)."""
    errors = sorted(Draft7Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
    return [
        (tuple(e.absolute_path), e.validator, e.instance, type(e.instance), e.validator_value, e.schema, e.message)
        for e in errors
    ]


def _ours(document, schema) -> list[tuple]:
    return [
        (e.path, e.keyword, e.instance, type(e.instance), e.expected, e.schema, e.message)
        for e in schema_errors(document, schema)
    ]


# --- Documents: any JSON, and documents shaped like each request (near misses are what find differences) --------
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 2**40)
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["class", "msg", "severity", "status", "repeat_count", "slots", "location", "bad name!", "a\n", "x" * 65, "_a.b"]
)
VALUES = st.one_of(
    JSON,
    st.sampled_from(
        ["MAJOR", "OPEN", "CLOSED", "", "x" * 4000, "x" * 4001, 2147483647, 2147483648, -1, 1.0, 1.5, 10**30, 3.0]
    ),
)
EVENT_BODIES = st.lists(
    st.dictionaries(KEYS, st.one_of(VALUES, st.dictionaries(KEYS, VALUES, max_size=101)), max_size=4), max_size=3
)
TIMEFRAME_VALUES = st.one_of(
    VALUES,
    st.sampled_from(
        ["01012026", "01012026\n", "1012026", "10:00", "9:05:30", "10:00\n", "24:61", "5", "0", "00005", "123456",
         "true", "True", "false", "yes", 0, 1, 5, -1, "1-3,5", ["1-3", 5], [1, "x" * 21], list(range(63)), "all",
         "excludeWeekends", "daily", "weekly", "monthly", "never", {"id": "Europe/Paris"}, {"offset": 1}]
    ),
)  # fmt: skip
TIMEFRAME_KEYS = st.sampled_from(
    ["startDate", "startTime", "endTime", "endsOn", "recurrencePattern", "timeZone", "endDate", "occurrences",
     "never", "recurrence", "details", "days", "daysOfWeek", "dates", "id", "offset", "colour"]
)  # fmt: skip
NESTED = st.recursive(TIMEFRAME_VALUES, lambda inner: st.dictionaries(TIMEFRAME_KEYS, inner, max_size=5), max_leaves=12)


def _mutated(base: dict):
    """The spec's valid timeframe with some values replaced, some keys dropped or added."""

    @st.composite
    def build(draw):
        document = copy.deepcopy(base)
        for _ in range(draw(st.integers(0, 4))):
            node, path = document, []
            while isinstance(node, dict) and node and draw(st.booleans()):
                key = draw(st.sampled_from(sorted(node)))
                if not isinstance(node[key], dict):
                    break
                path.append(key)
                node = node[key]
            if not isinstance(node, dict):
                continue
            action = draw(st.sampled_from(["set", "drop", "add"]))
            if action == "drop" and node:
                node.pop(draw(st.sampled_from(sorted(node))))
            else:
                key = draw(st.sampled_from(sorted(node))) if action == "set" and node else draw(TIMEFRAME_KEYS)
                node[key] = draw(NESTED)
        return document

    return build()


GOOD_TIMEFRAME = spec_examples.CREATE_DAILY["configurations"]["definition"]["timeframeDetails"]
GOOD_POLICY = spec_examples.CREATE_DAILY
DOCUMENTS = {
    "events": st.one_of(JSON, EVENT_BODIES),
    "ids": st.one_of(JSON, st.fixed_dictionaries({"ids": st.lists(VALUES, max_size=3)})),
    "search": st.one_of(JSON, st.dictionaries(st.sampled_from(["searchString", "pageIndex", "recordsPerPage",
                                                               "sortCriteria", "x"]), NESTED, max_size=4)),
    "policy": st.one_of(JSON, _mutated(GOOD_POLICY)),
    "timeframe": st.one_of(JSON, NESTED, _mutated(GOOD_TIMEFRAME)),
}  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), name=st.sampled_from(sorted(REQUEST_SCHEMAS)))
def test_the_errors_are_the_ones_jsonschema_gave(data, name):
    schema, document = REQUEST_SCHEMAS[name], data.draw(DOCUMENTS[name])
    assert _ours(document, schema) == _reference(document, schema), document


@pytest.mark.parametrize(
    "document",
    [
        [{"class": "MAJOR", "slots": {"0": None}}],  # found by the test above: jsonschema-rs gives the name as 0
        [{"class": "MAJOR", "slots": {"12": None, "a": None}}],
        [{"class": "MAJOR", "slots": {"": None, "0": 1}}],
    ],
)
def test_a_property_named_like_a_number_keeps_its_name(document):
    assert _ours(document, schemas.EVENTS) == _reference(document, schemas.EVENTS)
    assert _ours(document, schemas.EVENTS), "the document is invalid: there are errors to compare"


@pytest.mark.parametrize(
    ("document", "schema"),
    [
        ([{"class": "EVENT", "a\n": "x"}], schemas.EVENTS),
        (dict(GOOD_TIMEFRAME, startDate="01012026\n"), policy_input.TIMEFRAME),
    ],
)
def test_a_final_newline_before_dollar_is_accepted_as_before(document, schema):
    """jsonschema-rs alone would refuse these (ECMA 262's ``$``); jsonschema accepted them, so the product does."""
    assert not list(Draft7Validator(schema).iter_errors(document))
    assert schema_errors(document, schema) == []
    bmc.check_max_items(document, schema)
    bmc.validate_schema(document, schema)


def test_an_object_is_quoted_in_the_order_it_was_sent():
    """jsonschema-rs hands objects back with sorted keys; the message quotes the body as sent."""
    slots = {f"z{i}": "v" for i in range(101)} | {"a": "v"}
    (error,) = schema_errors([{"slots": slots}], schemas.EVENTS)
    assert error.keyword == "maxProperties"
    assert error.message.startswith("{'z0': 'v', 'z1': 'v'")


def test_the_product_does_not_import_jsonschema():
    """Every product module imported (settings loaded, apps ready, every URL, every module of every app) in a
    process where ``jsonschema`` cannot be imported: none needs it. (``lint-imports`` forbids the import too:
    the ``no-jsonschema`` contract.)"""
    code = """
import importlib, pkgutil, sys
sys.modules["jsonschema"] = None  # an import of it now raises ImportError
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
roots = ["config", "core", "outages", "contacts", "enrollments", "blackouts", "inventory"]
for root in roots:
    package = importlib.import_module(root)
    for info in pkgutil.walk_packages(package.__path__, root + "."):
        if ".migrations." in info.name or info.name.endswith((".wsgi", ".asgi")):
            continue
        importlib.import_module(info.name)
assert "jsonschema_rs" in sys.modules
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-3000:]


# --- What OpenAPI publishes (issue 23): one spelling per enum value, every spelling still accepted -----------------


def test_the_published_enums_hold_one_spelling_and_name_the_others():
    published = schemas.openapi(schemas.POLICY)["properties"]["enabled"]
    assert published["anyOf"] == [
        {"type": "boolean", "enum": [True, False]},
        {"type": "string", "enum": ["true", "false"]},
    ]
    assert published["description"] == "also accepted: True, False"
    order = schemas.openapi(schemas.SEARCH)["properties"]["sortCriteria"]["properties"]["order"]
    assert order["enum"] == ["ASC", "DESC"] and "asc, desc" in order["description"]


@pytest.mark.parametrize("spelling", [True, False, "true", "True", "false", "False"])
def test_every_spelling_of_a_boolean_is_still_accepted(spelling):
    body = copy.deepcopy(spec_examples.CREATE_DAILY) | {"enabled": spelling}
    assert not list(Draft7Validator(schemas.POLICY).iter_errors(body))


def test_timeframes_of_a_get_answer_publish_their_items_and_are_still_accepted():
    assert schemas.openapi(schemas.POLICY)["properties"]["timeframes"]["items"] == {}
    body = copy.deepcopy(spec_examples.CREATE_DAILY) | {"timeframes": [{"any": "thing"}, 1]}
    assert not list(Draft7Validator(schemas.POLICY).iter_errors(body))
