"""drf-spectacular post-processing of the published OpenAPI document."""


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
