"""JSON-schema validation (draft 7) of blackout input, by the compiled ``jsonschema-rs``: the errors of a document,
each described as ``jsonschema`` described it, so the words built from them did not change when ``jsonschema``
was dropped.

Two doors word these errors: the BMC family (``blackouts/api/bmc.py``, the product's validator wording on the wire)
and the policy validator (``policy_input``, ``timeframeDetails`` in the admin, the preview and imports, with
:attr:`SchemaError.message`). ``tests/blackouts/test_schema_validation.py`` holds both to what ``jsonschema``
answered, on generated documents.

What makes an error here the one ``jsonschema`` gave:

- its fields: ``path`` in the document; ``keyword`` (for ``propertyNames``, the keyword that refused the name:
  ``pattern``); ``instance``, the value as sent, taken from the document (jsonschema-rs hands objects back with
  their keys sorted); ``expected``, the keyword's value in the schema; ``schema``, the subschema holding it;
- the order: by path, then by the keyword's place in its schema (the order jsonschema walked them in);
- ``pattern`` matches as Python's ``re.search`` (as jsonschema's did). jsonschema-rs matches ECMA 262, where ``$``
  is the very end of the string; Python's ``$`` also matches before a final newline, so ``"01012026\\n"`` fits
  ``^[0-9]{8}$`` and an event property named ``"a\\n"`` fits its name pattern. A pattern error Python's regex
  does not confirm is dropped: what was accepted still is.
"""

import re
from dataclasses import dataclass
from itertools import combinations

import jsonschema_rs

_COMPILED: dict[int, tuple[dict, object]] = {}


def _compiled(schema: dict):
    """The schema compiled by jsonschema-rs, once per schema object (schemas are module constants)."""
    found = _COMPILED.get(id(schema))
    if found is None or found[0] is not schema:
        found = _COMPILED[id(schema)] = (schema, jsonschema_rs.Draft7Validator(schema))
    return found[1]


def _at(document, path, default=None):
    try:
        for step in path:
            document = document[step]
    except (KeyError, IndexError, TypeError):
        if default is None:
            raise
        return default
    return document


_MISSING = object()


def _steps(schema_path: list) -> list[tuple[str, object]]:
    """What each step down the schema path is in the document: a known key or index (``properties``' name, a
    tuple ``items`` index), or one only the error knows (``"given"``: an array index, an additional property)."""
    steps, i, last = [], 0, len(schema_path) - 1  # the last element is the keyword that refused
    while i < last:
        keyword = schema_path[i]
        if keyword == "properties" or (keyword == "items" and isinstance(schema_path[i + 1], int)):
            steps.append(("known", schema_path[i + 1]))
            i += 2
        elif keyword in ("patternProperties", "dependencies", "definitions", "allOf", "anyOf", "oneOf"):
            steps.extend([("given", None)] if keyword == "patternProperties" else [])
            i += 2
        elif keyword in ("items", "additionalItems", "contains", "additionalProperties"):
            steps.append(("given", None))
            i += 1
        else:  # propertyNames, not, if/then/else: the same instance
            i += 1
    return steps


def _as_sent(document, path) -> tuple:
    """The path with each step as the document holds it: jsonschema-rs gives a property named like a number
    (``{"slots": {"0": null}}``) as the integer ``0``, where jsonschema (and the document) has the text ``"0"``."""
    steps = []
    for step in path:
        if isinstance(document, dict) and isinstance(step, int) and step not in document:
            step = str(step)
        steps.append(step)
        document = document.get(step) if isinstance(document, dict) else _at(document, [step], default=_MISSING)
    return tuple(steps)


def _instance_path(error, schema_path: list, document) -> tuple:
    """The error's path in the document. jsonschema-rs's ``instance_path`` leaves out an empty property name
    (``{"slots": {"": null}}`` gives ``["slots"]``): the path is rebuilt along the schema path, an additional
    property it lacks being ``""`` — where that is ambiguous, the one that leads to the error's value."""
    steps, given = _steps(schema_path), list(_as_sent(document, error.instance_path))
    open_steps = [n for n, (what, value) in enumerate(steps) if what == "given" or value == ""]
    dropped = len(steps) - len(given)
    for empties in combinations(open_steps, dropped) if dropped > 0 else [()]:
        rest, path = iter(given), []
        for n in range(len(steps)):  # every step but an empty name is in ``given``, in order
            path.append("" if n in empties else next(rest, _MISSING))
        if dropped <= 0 or _at(document, path, default=_MISSING) == error.instance:
            return tuple(given) if dropped <= 0 else tuple(path)
    return tuple(given)


@dataclass(frozen=True)
class SchemaError:
    path: tuple  # where in the document: keys and indexes
    keyword: str  # the keyword that refused it (``type``, ``pattern``, ``required``...)
    instance: object  # the value at ``path`` as sent (for a refused property name: the name)
    expected: object  # the keyword's value in the schema
    schema: dict  # the subschema holding the keyword
    missing: str | None = None  # ``required``: the property missing
    native: str = ""  # jsonschema-rs's own message, for a keyword not worded below

    @property
    def message(self) -> str:
        """``jsonschema``'s message for the keywords the blackout schemas use (Python reprs, as it wrote them)."""
        v, instance, expected = self.keyword, self.instance, self.expected
        if v == "type":
            types = [expected] if isinstance(expected, str) else expected
            return f"{instance!r} is not of type {', '.join(repr(t) for t in types)}"
        if v == "enum":
            return f"{instance!r} is not one of {expected!r}"
        if v == "pattern":
            return f"{instance!r} does not match {expected!r}"
        if v == "required":
            return f"{self.missing!r} is a required property"
        if v == "additionalProperties" and "patternProperties" not in self.schema:
            extras = sorted((k for k in instance if k not in self.schema.get("properties", {})), key=str)
            verb = "was" if len(extras) == 1 else "were"
            return f"Additional properties are not allowed ({', '.join(repr(e) for e in extras)} {verb} unexpected)"
        if v == "minimum":
            return f"{instance!r} is less than the minimum of {expected!r}"
        if v == "maximum":
            return f"{instance!r} is greater than the maximum of {expected!r}"
        if v in ("minLength", "minItems"):
            return f"{instance!r} {'should be non-empty' if expected == 1 else 'is too short'}"
        if v in ("maxLength", "maxItems"):
            return f"{instance!r} {'is expected to be empty' if expected == 0 else 'is too long'}"
        if v == "maxProperties":
            return f"{instance!r} {'is expected to be empty' if expected == 0 else 'has too many properties'}"
        return self.native


def _described(error, document, schema: dict) -> tuple[SchemaError, int]:
    """The error as jsonschema described it, and the place of its keyword in the schema that holds it."""
    schema_path = list(error.schema_path)
    path = _instance_path(error, schema_path, document)
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.PropertyNames):
        # jsonschema judged each name with the propertyNames schema, at the object's own path
        at = len(schema_path) - 1 - schema_path[::-1].index("propertyNames")
        holder, inner = _at(schema, schema_path[:at]), kind.error
        found = SchemaError(
            path=path,
            keyword=schema_path[-1],
            instance=inner.instance,
            expected=_at(schema, schema_path[:-1])[schema_path[-1]],
            schema=_at(schema, schema_path[:-1]),
            native=inner.message,
        )
        return found, list(holder).index("propertyNames")
    holder, keyword = _at(schema, schema_path[:-1]), schema_path[-1]
    found = SchemaError(
        path=path,
        keyword=keyword,
        instance=_at(document, path),
        expected=holder[keyword],
        schema=holder,
        missing=getattr(kind, "property", None)
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required)
        else None,
        native=error.message,
    )
    return found, list(holder).index(keyword)


def _confirmed(error: SchemaError) -> bool:
    """False for a ``pattern`` error that Python's ``re.search`` (jsonschema's matcher) does not confirm."""
    if error.keyword == "pattern" and isinstance(error.instance, str):
        return re.search(error.expected, error.instance) is None
    return True


def schema_errors(document, schema: dict) -> list[SchemaError]:
    """Every error of the document against the schema, by path then by the keyword's place in its schema; ``[]``
    when it is valid (recognised by the compiled validator at once, the common case)."""
    validator = _compiled(schema)
    if validator.is_valid(document):
        return []
    described = [_described(error, document, schema) for error in validator.iter_errors(document)]
    kept = [(error, rank) for error, rank in described if _confirmed(error)]
    kept.sort(key=lambda pair: (list(pair[0].path), pair[1]))
    return [error for error, _ in kept]
