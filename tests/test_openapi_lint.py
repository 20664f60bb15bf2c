"""A lint of the live OpenAPI document with the rules a client generator needs (issue 23): a small walker of our
own over the document ``/api/schema/`` publishes, so that a regression fails ``make test``.

The rules, each one a reason openapi-python-client, openapi-generator or openapi-typescript skipped an operation
or refused the document (``spectacular --validate`` passes all of them):

- every ``type: array`` has ``items``;
- every ``nullable: true`` sits beside a ``type`` (OpenAPI 3.0.3 ignores it elsewhere; a nullable ``$ref`` in
  ``allOf`` too);
- no enum holds two values equal case-insensitively ("true"/"True" fold to one generated name);
- every operation has an ``operationId``, unique, and a ``summary``;
- every tag an operation uses is declared in the top-level ``tags``;
- path parameters are declared in the order they appear in the path (positional callers);
- a ``servers`` entry exists;
- the token endpoints' request bodies are JSON only.

And what Redocly's ``recommended`` and Spectral's ``spectral:oas`` rulesets report as errors (``make oas-check``
runs the real tools, tests/oas_tools.py):

- no path ends with a slash (Redocly ``no-path-trailing-slash``; the wire serves both forms);
- every operation declares its ``security``, ``[]`` for the logins (Redocly ``security-defined``);
- parameters are unique per name and location (both ``operation-parameters-unique``);
- an enum's values are of its type (Redocly ``no-enum-type-mismatch``);
- every example validates against its media type's schema read strictly as OpenAPI 3.0.3 reads it: ``nullable``
  adds null only beside a ``type``, and ``allOf``/``$ref`` keep their constraints (Spectral
  ``oas3-valid-media-example``).

Every violation is reported at once.
"""

import re

import jsonschema
import pytest

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
TOKEN_PATHS = ("/api/auth/token", "/api/auth/token/refresh")


@pytest.fixture(scope="module")
def document(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def walk(node, where="#"):
    """Every mapping of the document with its JSON pointer, examples left out (they are data, not schemas)."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            if key not in ("example", "examples"):
                yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{where}/{index}")


def operations(document):
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, item, operation


def array_without_items(document):
    return [
        f"{where}: type array without items"
        for where, node in walk(document)
        if node.get("type") == "array" and "items" not in node
    ]


def nullable_without_type(document):
    return [
        f"{where}: nullable without type"
        for where, node in walk(document)
        if node.get("nullable") is True and "type" not in node
    ]


def enum_case_variants(document):
    problems = []
    for where, node in walk(document):
        values = node.get("enum")
        if not isinstance(values, list):
            continue
        folded = {}
        for value in values:
            if isinstance(value, str):
                folded.setdefault(value.casefold(), []).append(value)
        problems += [f"{where}: enum case variants {same}" for same in folded.values() if len(same) > 1]
    return problems


def operation_ids_and_summaries(document):
    problems, seen = [], {}
    for path, method, _item, operation in operations(document):
        label = f"{method.upper()} {path}"
        operation_id = operation.get("operationId")
        if not operation_id:
            problems.append(f"{label}: no operationId")
        elif operation_id in seen:
            problems.append(f"{label}: operationId {operation_id!r} also on {seen[operation_id]}")
        else:
            seen[operation_id] = label
        if not (operation.get("summary") or "").strip():
            problems.append(f"{label}: no summary")
    return problems


def undeclared_tags(document):
    declared = {tag["name"] for tag in document.get("tags", [])}
    problems = []
    for path, method, _item, operation in operations(document):
        problems += [
            f"{method.upper()} {path}: tag {tag!r} not declared"
            for tag in operation.get("tags", [])
            if tag not in declared
        ]
    undescribed = [tag["name"] for tag in document.get("tags", []) if not tag.get("description")]
    problems += [f"tag {name!r} declared without a description" for name in undescribed]
    return problems


def path_parameter_order(document):
    problems = []
    for path, method, item, operation in operations(document):
        in_path = re.findall(r"{([^}]+)}", path)
        parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
        declared = [parameter["name"] for parameter in parameters if parameter.get("in") == "path"]
        if declared != in_path:
            problems.append(f"{method.upper()} {path}: path parameters declared {declared}, path order {in_path}")
    return problems


def servers(document):
    return [] if document.get("servers") else ["no servers entry"]


def token_bodies_json(document):
    problems = []
    for path in TOKEN_PATHS:
        operation = document["paths"].get(path, {}).get("post")
        if operation is None:
            problems.append(f"POST {path}: not published")
            continue
        media = sorted(operation.get("requestBody", {}).get("content", {}))
        if media != ["application/json"]:
            problems.append(f"POST {path}: request media types {media}, JSON only expected")
    return problems


def trailing_slash(document):
    return [f"{path}: ends with a slash" for path in document.get("paths", {}) if path != "/" and path.endswith("/")]


def security_defined(document):
    if document.get("security"):
        return []
    return [
        f"{method.upper()} {path}: no security (give [] for none)"
        for path, method, _item, operation in operations(document)
        if "security" not in operation
    ]


def parameters_unique(document):
    problems = []
    for path, method, item, operation in operations(document):
        for scope in (item.get("parameters", []), operation.get("parameters", [])):
            keys = [(parameter.get("name"), parameter.get("in")) for parameter in scope]
            problems += [f"{method.upper()} {path}: parameter {key} twice" for key in set(keys) if keys.count(key) > 1]
    return problems


JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict, "array": list}


def enum_type_mismatch(document):
    problems = []
    for where, node in walk(document):
        kind, values = node.get("type"), node.get("enum")
        if not isinstance(kind, str) or kind not in JSON_TYPES or not isinstance(values, list):
            continue
        for value in values:
            if value is None and node.get("nullable"):
                continue
            if not isinstance(value, JSON_TYPES[kind]) or (kind in ("integer", "number") and isinstance(value, bool)):
                problems.append(f"{where}: enum value {value!r} is not {kind}")
    return problems


def strict_json_schema(node):
    """An OpenAPI 3.0.3 schema as JSON Schema, read strictly: ``nullable`` admits null only beside a ``type``."""
    if isinstance(node, list):
        return [strict_json_schema(value) for value in node]
    if not isinstance(node, dict):
        return node
    schema = {key: strict_json_schema(value) for key, value in node.items() if key not in ("nullable", "example")}
    if node.get("nullable") and "type" in node:
        schema["type"] = [node["type"], "null"]
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
    return schema


def media_examples(document):
    """Every (where, example value, schema) of the request and response media types."""
    for path, method, _item, operation in operations(document):
        bodies = [("requestBody", operation.get("requestBody") or {})]
        bodies += [(f"responses/{code}", response) for code, response in operation.get("responses", {}).items()]
        for where, body in bodies:
            for media_type, media in (body.get("content") or {}).items():
                label = f"{method.upper()} {path} {where} {media_type}"
                if "example" in media:
                    yield label, media["example"], media.get("schema", {})
                for name, example in (media.get("examples") or {}).items():
                    if "value" in example:
                        yield f"{label} example {name!r}", example["value"], media.get("schema", {})


def invalid_examples(document):
    components = strict_json_schema(document.get("components", {}))
    problems = []
    for label, value, schema in media_examples(document):
        if "xml" in label.rsplit(" ", 1)[-1] and not isinstance(value, dict | list):
            continue
        validator = jsonschema.Draft202012Validator({**strict_json_schema(schema), "components": components})
        problems += [
            f"{label}: {'/'.join(map(str, error.absolute_path))}: {error.message[:160]}"
            for error in validator.iter_errors(value)
        ]
    return problems


RULES = [
    trailing_slash,
    security_defined,
    parameters_unique,
    enum_type_mismatch,
    invalid_examples,
    array_without_items,
    nullable_without_type,
    enum_case_variants,
    operation_ids_and_summaries,
    undeclared_tags,
    path_parameter_order,
    servers,
    token_bodies_json,
]


def test_the_document_passes_every_rule(document):
    violations = [f"{rule.__name__}: {problem}" for rule in RULES for problem in rule(document)]
    assert not violations, f"{len(violations)} violations:\n" + "\n".join(violations)


# --- the walker catches what it claims to ----------------------------------------------------------------------


def test_each_rule_finds_its_violation():
    bad = {
        "paths": {
            "/a/{b}/{a}": {
                "get": {
                    "tags": ["t"],
                    "parameters": [{"name": "a", "in": "path"}, {"name": "b", "in": "path"}],
                    "responses": {"200": {"content": {"x": {"schema": {"type": "array"}}}}},
                },
                "post": {
                    "operationId": "x",
                    "summary": "s",
                    "parameters": [{"name": "b", "in": "path"}, {"name": "a", "in": "path"}],
                    "requestBody": {
                        "content": {"application/json": {"schema": {"nullable": True, "enum": ["true", "True"]}}}
                    },
                },
            },
            "/api/auth/token": {
                "post": {"requestBody": {"content": {"application/json": {}, "multipart/form-data": {}}}}
            },
            "/b/": {
                "get": {
                    "security": [],
                    "parameters": [{"name": "q", "in": "query"}, {"name": "q", "in": "query"}],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "p": {"allOf": [{"$ref": "#/components/schemas/P"}], "nullable": True},
                                            "n": {"type": "integer", "enum": [1, "2"]},
                                        },
                                    },
                                    "examples": {"E": {"value": {"p": None}}},
                                }
                            }
                        }
                    },
                }
            },
        },
        "components": {"schemas": {"P": {"type": "object"}}},
        "tags": [{"name": "u"}],
    }
    found = {rule.__name__: rule(bad) for rule in RULES}
    assert all(found.values()), [name for name, problems in found.items() if not problems]
    assert found["path_parameter_order"] == [
        "GET /a/{b}/{a}: path parameters declared ['a', 'b'], path order ['b', 'a']"
    ]
    assert found["trailing_slash"] == ["/b/: ends with a slash"]
    assert [problem.rsplit(": ", 1)[-1] for problem in found["enum_type_mismatch"]] == ["enum value '2' is not integer"]
    # The BMC 404's `"blackoutPolicy": null` against a nullable allOf reference: refused, as Spectral does.
    assert [problem.split(": ")[0] for problem in found["invalid_examples"]] == [
        "GET /b/ responses/200 application/json example 'E'"
    ]


def test_the_nullable_hook_puts_a_type_beside_every_nullable():
    from core.schema_hooks import type_beside_every_nullable

    document = {
        "components": {"schemas": {"Policy": {"type": "object"}}},
        "paths": {
            "/x": {
                "get": {
                    "responses": {
                        "404": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "properties": {
                                            "policy": {
                                                "allOf": [{"$ref": "#/components/schemas/Policy"}],
                                                "nullable": True,
                                            },
                                            "value": {"nullable": True},
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    }
    type_beside_every_nullable(document, None, None, True)
    found = document["paths"]["/x"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]["properties"]
    # Null beside a reference, as every strict reader reads it: that or null (drf-spectacular's NullEnum form).
    assert found["policy"] == {
        "oneOf": [{"$ref": "#/components/schemas/Policy"}, {"$ref": "#/components/schemas/NullEnum"}]
    }
    assert document["components"]["schemas"]["NullEnum"] == {"enum": [None]}
    assert found["value"] == {}
    assert not nullable_without_type(document)
    assert not invalid_examples(
        {
            **document,
            "paths": {
                "/x": {
                    "get": {
                        "responses": {
                            "404": {
                                "content": {
                                    "application/json": {
                                        "schema": {"type": "object", "properties": found},
                                        "example": {"policy": None},
                                    }
                                }
                            }
                        }
                    }
                }
            },
        }
    )


def test_the_served_yaml_reads_as_the_json_under_yaml_1_2(django_db_blocker, document):
    """A string of digits with a leading zero (`"0023939882"`, the Oracle examples' ids) was written unquoted by
    PyYAML (YAML 1.1) and read back as a number by YAML 1.2 readers: Spectral and Redocly then found the examples
    invalid. The served YAML is quoted for them (core/schema_renderers.py)."""
    from django.test import Client

    from core.schema_renderers import loads_as_yaml12

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200, response.content[:300]
    text = response.content.decode()
    assert "'0023939882'" in text
    assert loads_as_yaml12(text) == document


def test_the_servers_entry_is_the_configured_public_base_url(settings):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.settings import spectacular_settings

    assert settings.API_PUBLIC_BASE_URL == "/"
    assert spectacular_settings.SERVERS[0]["url"] == "/"
    assert SchemaGenerator().get_schema(request=None, public=True)["servers"][0]["url"] == "/"
