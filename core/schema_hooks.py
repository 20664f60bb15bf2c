"""drf-spectacular post-processing of the published OpenAPI document."""

import re


def require_bodies_with_required_properties(result, generator, request, public):
    """A request body given as a raw JSON schema (the BMC operations publish the very schema they validate with)
    is marked optional by drf-spectacular; the endpoint refuses a missing body whose schema requires properties,
    so the document says the body is required."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body or body.get("required"):
                continue
            schemas = [media.get("schema") or {} for media in body.get("content", {}).values()]
            if schemas and all(schema.get("required") for schema in schemas):
                body["required"] = True
    return result


def _walk(node):
    """Every mapping of the document (examples left out: they are data, not schemas)."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in ("example", "examples"):
                yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def type_beside_every_nullable(result, generator, request, public):
    """OpenAPI 3.0.3: ``nullable`` takes effect only beside a ``type``, and strict validators and generators read it
    so. A nullable reference (drf-spectacular wraps it in ``allOf``) gets the referenced component's type; a nullable
    value of any type (a ``JSONField``) loses the ``nullable``: a schema without ``type`` admits every value, null
    included."""
    components = result.get("components", {}).get("schemas", {})
    for node in list(_walk(result)):  # materialized: nodes are rewritten and a component may be added
        if node.get("nullable") is True and _null_beside_a_reference(node, components):
            continue
        if node.get("nullable") is not True or "type" in node:
            continue
        refs = [part.get("$ref", "") for part in node.get("allOf", []) if isinstance(part, dict)]
        referenced = {components.get(ref.rsplit("/", 1)[-1], {}).get("type") for ref in refs}
        if len(refs) == 1 and len(referenced) == 1 and None not in referenced:
            node["type"] = referenced.pop()
        elif not any(key in node for key in ("allOf", "anyOf", "oneOf", "$ref")):
            del node["nullable"]
    return result


NULL_COMPONENT = "NullEnum"  # drf-spectacular's own name for it (ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE)


def _null_beside_a_reference(node, components) -> bool:
    """A nullable reference (``allOf: [$ref]`` beside ``nullable``) admits no null under OpenAPI 3.0.3's own
    reading ("other constraints retain their behaviour"): strict validators, Spectral and Redocly refuse the
    ``"blackoutPolicy": null`` the BMC 404 answers. It becomes ``oneOf: [$ref, NullEnum]``, drf-spectacular's
    form for a nullable choice, which every generator reads as "that or null"."""
    parts = node.get("allOf")
    if not (isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], dict) and "$ref" in parts[0]):
        return False
    components.setdefault(NULL_COMPONENT, {"enum": [None]})
    kept = {key: value for key, value in node.items() if key in ("description", "readOnly", "writeOnly", "title")}
    node.clear()
    node.update({"oneOf": [parts[0], {"$ref": f"#/components/schemas/{NULL_COMPONENT}"}], **kept})
    return True


def path_parameters_in_path_order(result, generator, request, public):
    """drf-spectacular sorts parameters by name; clients generated with positional arguments (openapi-generator)
    take path parameters in the order declared, so ``(external_outage_id, external_system)`` reached the wrong
    URL. Path parameters come first, in the order they appear in the path; the others keep their order."""
    for path, operations in result.get("paths", {}).items():
        order = {name: index for index, name in enumerate(re.findall(r"{([^}]+)}", path))}
        for operation in operations.values():
            if not isinstance(operation, dict) or not operation.get("parameters"):
                continue
            operation["parameters"] = sorted(
                operation["parameters"],
                key=lambda parameter: (
                    (0, order.get(parameter.get("name"), len(order))) if parameter.get("in") == "path" else (1, 0)
                ),
            )
    return result


def paths_without_trailing_slash(result, generator, request, public):
    """Paths are published without a trailing slash (Redocly's ``no-path-trailing-slash``, Spectral's
    ``path-keys-no-trailing-slash``); ``core.middleware.OptionalTrailingSlashMiddleware`` serves both forms."""
    result["paths"] = {
        (path.rstrip("/") if path != "/" else path): item for path, item in result.get("paths", {}).items()
    }
    return result


def security_on_every_operation(result, generator, request, public):
    """An operation that takes no credentials (the logins) says so with ``security: []`` (Redocly's
    ``security-defined``); drf-spectacular leaves the key out, which reads as "not documented"."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in ("get", "put", "post", "delete", "patch") and "security" not in operation:
                operation["security"] = []
    return result
