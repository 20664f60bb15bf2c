"""JSON schemas of the request bodies: what each endpoint validates AND what OpenAPI publishes (one source).

Unknown properties are refused, as the product's validator does. Booleans may be sent as strings (``"true"``),
as the spec's own examples do; ``occurrences`` may be a numeric string (``"5"``). Read-only properties a client
may echo back from a GET (``selector``, ``owner``, ``creationTime``, ``configurations.timeframeStatus``...) are
accepted and ignored. The policy pieces (``TIMEFRAME``, the bounds) come from ``blackouts.policy_input``, the one
validator the admin and the model use too.

The schemas are JSON Schema draft 7 (what ``jsonschema`` validates); :func:`openapi` rewrites one for
OpenAPI 3.0 (``request=`` of ``extend_schema``): a list of types becomes ``anyOf`` one branch per type (each
with the keywords of its type) or ``nullable``; ``propertyNames``, which OpenAPI 3.0 lacks, moves into the
description, so the published schema is never stricter than the validator. One exception, for client
generators that fold enum values case-insensitively into names ("true"/"True" collide): an enum publishes one
spelling of each value (the first) and names the other spellings, still accepted, in the description.
"""

from .. import policy_input

BOOLEAN = policy_input.BOOLEAN
UUIDISH = {"type": "string", "maxLength": 64}
TIMEFRAME = policy_input.TIMEFRAME

POLICY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "executionOrder", "eventSelectorCriteria", "configurations"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": policy_input.MAX_NAME},
        "description": {"type": "string", "maxLength": policy_input.MAX_DESCRIPTION},
        "executionOrder": {
            "type": "integer",
            "minimum": policy_input.MIN_EXECUTION_ORDER,
            "maximum": policy_input.MAX_EXECUTION_ORDER,
        },
        "eventSelectorCriteria": {
            "type": "string",
            "minLength": 1,
            "maxLength": policy_input.MAX_CRITERIA,
            "description": "the criteria language, e.g. ( class equals 'EVENT' ) AND msg matches '^disk' "
            "(docs/blackouts.md)",
        },
        "enabled": BOOLEAN,
        # read-only properties of a GET answer, accepted and ignored
        "selector": {"type": "string"},
        "timeframes": {"type": "array", "items": {}, "description": "of a GET answer; accepted and ignored"},
        "owner": {"type": "string"},
        "readOnly": BOOLEAN,
        "creationTime": {"type": "integer"},
        "modificationTime": {"type": "integer"},
        "configurations": {
            "type": "object",
            "additionalProperties": False,
            "required": ["definition"],
            "properties": {
                "definition": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["timeframeDetails"],
                    "properties": {
                        "timeframeDetails": TIMEFRAME,
                        "processing_action": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {"blackoutExistingEvents": BOOLEAN, "resetStatusOnBlackoutEnd": BOOLEAN},
                        },
                    },
                },
                "timeframeStatus": {"type": "string"},
                "timeframeStatusDetails": {"type": "object"},
                "tenantId": {"type": "string"},
                "policyId": {"type": "string"},
                "id": {"type": "string"},
                "configOrder": {"type": "integer"},
                "creationTime": {"type": "integer"},
                "modificationTime": {"type": "integer"},
            },
        },
    },
}

IDS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ids"],
    "properties": {"ids": {"type": "array", "minItems": 1, "maxItems": 1000, "items": UUIDISH}},
}

SEARCH = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "searchString": {"type": "string", "maxLength": 255},
        "pageIndex": {"type": "integer", "minimum": 1, "maximum": 1000000},
        "recordsPerPage": {"type": "integer", "minimum": 1, "maximum": 1000},
        "sortCriteria": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "attribute": {
                    "type": "string",
                    "enum": ["name", "description", "executionOrder", "enabled", "creationTime", "modificationTime"],
                },
                "order": {"type": "string", "enum": ["ASC", "DESC", "asc", "desc"]},
            },
        },
    },
}

EVENT = {
    "type": "object",
    "additionalProperties": {"type": ["string", "number", "boolean"], "maxLength": 4000},
    "properties": {
        "class": {"type": "string", "minLength": 1, "maxLength": 128},
        "msg": {"type": "string", "maxLength": 4000},
        "severity": {"type": "string", "enum": ["CRITICAL", "MAJOR", "MINOR", "WARNING", "INFO", "OK", "UNKNOWN"]},
        "status": {"type": "string", "enum": ["OPEN", "ACK", "ASSIGNED", "CLOSED"]},
        "_identifier": {"type": "string", "maxLength": 255},
        "source_hostname": {"type": "string", "maxLength": 255},
        "source_identifier": {"type": "string", "maxLength": 255},
        "repeat_count": {"type": "integer", "minimum": 0, "maximum": 2147483647},
        "slots": {
            "type": "object",
            "maxProperties": 100,
            "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_.]{0,63}$"},
            "additionalProperties": {"type": ["string", "number", "boolean"], "maxLength": 4000},
        },
    },
    "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_.]{0,63}$"},
    "maxProperties": 100,
}

EVENTS = {"type": "array", "minItems": 1, "maxItems": 10000, "items": EVENT}


# --- Draft 7 -> OpenAPI 3.0 ------------------------------------------------------------------------------------------
_TYPE_KEYWORDS = {
    "string": {"minLength", "maxLength", "pattern", "format"},
    "integer": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"},
    "array": {"items", "minItems", "maxItems", "uniqueItems"},
    "object": {"properties", "required", "additionalProperties", "minProperties", "maxProperties"},
    "boolean": set(),
}
_ALL_TYPED = set().union(*_TYPE_KEYWORDS.values())
_PYTHON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}


def _is(value, json_type: str) -> bool:
    if json_type in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _PYTHON_TYPES[json_type])


def _one_spelling(values: list) -> list:
    """The values of an enum, each string kept in its first spelling only (case-insensitively)."""
    kept, seen = [], set()
    for value in values:
        if isinstance(value, str):
            if value.casefold() in seen:
                continue
            seen.add(value.casefold())
        kept.append(value)
    return kept


def openapi(schema):
    """A draft-7 schema as an OpenAPI 3.0 schema object accepting the same documents (see the module doc)."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: openapi(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = openapi(value)
        elif key in ("anyOf", "oneOf", "allOf"):
            out[key] = [openapi(sub) for sub in value]
        elif key == "propertyNames":
            note = f"property names match {value.get('pattern')}"
            out["description"] = f"{out.get('description', schema.get('description', ''))} ({note})".strip()
        elif key == "enum":
            out[key] = _one_spelling(value)
            others = [v for v in value if v not in out[key]]
            if others:
                note = f"also accepted: {', '.join(map(str, others))}"
                described = out.get("description", schema.get("description", ""))
                out["description"] = f"{described} ({note})" if described else note
        else:
            out[key] = value
    types = out.get("type")
    if isinstance(types, list):
        nullable = "null" in types
        types = [t for t in types if t != "null"]
        if len(types) == 1:
            out["type"] = types[0]
        else:
            shared = {k: v for k, v in out.items() if k not in _ALL_TYPED and k not in ("type", "enum")}
            branches = []
            for json_type in types:
                branch = {"type": json_type, **{k: v for k, v in out.items() if k in _TYPE_KEYWORDS[json_type]}}
                if "enum" in out:
                    branch["enum"] = [v for v in out["enum"] if _is(v, json_type)]
                branches.append(branch)
            out = {**shared, "anyOf": branches}
        if nullable:
            out["nullable"] = True
    return out
