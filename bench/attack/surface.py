"""The attack surface, read from the product itself: the operations of the OpenAPI schema, the analyst lists, the
admin's registered models (their pages, forms, actions and extra URLs) and the URL resolver's other doors.

Generated, not listed by hand: an endpoint, list, admin page or action added later is attacked for free.
"""

from contextlib import suppress
from dataclasses import dataclass, field

PARAM_DEFAULTS = {"version": "v1"}


def door_of(path: str) -> str:
    if path.startswith("/rest/apis/"):
        return "oracle"
    if path.startswith("/events-service/"):
        return "bmc"
    if "/hub" in path and path.startswith("/InventoryRSOpenAPI/"):
        return "tmf-hub"
    if path.startswith("/InventoryRSOpenAPI/"):
        return "uim"
    if path.startswith("/api/webhooks/"):
        return "webhooks"
    if path.startswith("/api/auth/") or path.startswith("/admin/login"):
        return "auth"
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "analyst"
    return "other"


@dataclass
class Operation:
    method: str
    template: str
    door: str
    path_params: list[dict]
    query_params: list[dict]
    body_schema: dict | None
    body_example: object
    content_types: list[str]

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"

    def path(self, **values: str) -> str:
        out = self.template
        for param in self.path_params:
            name = param["name"]
            schema = param.get("schema", {})
            value = values.get(name) or PARAM_DEFAULTS.get(name) or (schema.get("enum") or ["1"])[0]
            out = out.replace("{" + name + "}", value)
        return out


@dataclass
class AdminModel:
    label: str  # app_label.model_name
    base: str  # /admin/<app>/<model>/
    actions: list[str]  # every action the ModelAdmin declares (delete_selected included)
    action_permissions: dict[str, tuple[str, ...] | None]  # action -> the permissions it declares (None: nothing)
    form_fields: list[str]
    list_filters: list[str]
    extra_urls: list[str]  # the ModelAdmin's own URLs (export, import, preview, calendar, ...) without arguments
    extra_urls_with_id: list[str]  # ... with an object id in them (progress, download, report)
    sample_pk: str | None
    capabilities: dict = field(default_factory=dict)  # add/change/delete/view for a superuser (False: read-only)
    # extra URL -> (the permissions its ``core.admin.requires`` declares or None, the model action it also needs)
    extra_permissions: dict = field(default_factory=dict)
    opts: object = None


@dataclass
class AnalystList:
    key: str
    path: str  # /api/<app>/<list>/
    filters: list[str]
    columns: list[str]
    sample_pk: str | None


@dataclass
class Surface:
    schema: dict
    operations: list[Operation]
    lists: list[AnalystList]
    admin: list[AdminModel]
    other_paths: list[str] = field(default_factory=list)


def resolve_refs(node, components: dict, depth: int = 0):
    if depth > 12:
        return {}
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return resolve_refs(components.get(name, {}), components, depth + 1)
        return {k: resolve_refs(v, components, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve_refs(v, components, depth + 1) for v in node]
    return node


def example_of(schema: dict | None, depth: int = 0):
    """A plausible value for a (resolved) JSON schema: its example, default or enum, else a typed stand-in."""
    if not schema or depth > 6:
        return "x"
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
    for key in ("allOf", "oneOf", "anyOf"):
        if schema.get(key):
            return example_of(schema[key][0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in schema:
        return {name: example_of(sub, depth + 1) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [example_of(schema.get("items") or {}, depth + 1)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    return {
        "date-time": "2025-02-06T10:00:00Z",
        "date": "2025-02-06",
        "uuid": "00000000-0000-4000-8000-000000000001",
        "uri": "https://receiver.example.com/hook",
        "email": "a@example.com",
    }.get(fmt, "x")


def operations_of(schema: dict) -> list[Operation]:
    components = (schema.get("components") or {}).get("schemas") or {}
    out = []
    for template, item in sorted(schema.get("paths", {}).items()):
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = op.get("parameters") or []
            body = (op.get("requestBody") or {}).get("content") or {}
            body_schema, example, types = None, None, list(body)
            media = body.get("application/json") or (next(iter(body.values())) if body else None)
            if media is not None:
                body_schema = resolve_refs(media.get("schema") or {}, components)
                examples = media.get("examples") or {}
                if examples:
                    example = next(iter(examples.values())).get("value")
                if example is None:
                    example = example_of(body_schema)
            out.append(
                Operation(
                    method=method.upper(),
                    template=template,
                    door=door_of(template),
                    path_params=[p for p in params if p.get("in") == "path"],
                    query_params=[p for p in params if p.get("in") == "query"],
                    body_schema=body_schema,
                    body_example=example,
                    content_types=types,
                )
            )
    return out


def _first_pk(model) -> str | None:
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return None if pk is None else str(pk)


def _declared_view(callback):
    """The view under an admin URL's wrappers that ``core.admin.requires`` declared, or None."""
    view = callback
    while view is not None:
        if hasattr(view, "required_capabilities"):
            return view
        view = getattr(view, "__wrapped__", None)
    return None


def _action_perms(model_admin, func) -> tuple[str, ...] | None:
    from core.admin import permission_names_to_perms

    names = getattr(func, "allowed_permissions", None)
    if not names:
        return None
    getter = getattr(model_admin, "action_permissions", None)
    return tuple(getter(func) if getter is not None else permission_names_to_perms(model_admin, names))


def _extra_perms(model_admin, callback) -> tuple[tuple[str, ...] | None, str | None]:
    from core import roles
    from core.admin import permission_names_to_perms

    view = _declared_view(callback)
    if view is None:
        return None, None
    perms = [perm for name in view.required_capabilities for perm in roles.needs(name)]
    if view.required_model_action:
        perms += permission_names_to_perms(model_admin, [view.required_model_action])
    return tuple(perms), view.required_model_action


def admin_models() -> list[AdminModel]:
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django.urls import reverse

    superuser = get_user_model()(username="attack-introspection", is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    out = []
    standard = ("_changelist", "_add", "_history", "_delete", "_change", "_autocomplete")
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        actions = model_admin.get_actions(request)
        names = list(actions)
        permissions = {name: _action_perms(model_admin, actions[name][0]) for name in names}
        try:
            form = model_admin.get_form(request)()
            fields = list(form.fields)
        except Exception:
            fields = []
        filters = []
        for item in model_admin.get_list_filter(request):
            name = item if isinstance(item, str) else (item[0] if isinstance(item, tuple) else None)
            if name:
                filters.append(name)
        extra, extra_id, extra_perms = [], [], {}
        for pattern in model_admin.get_urls():
            if (
                not pattern.name
                or pattern.name.endswith(standard)
                or not pattern.name.startswith(f"{opts.app_label}_{opts.model_name}")
            ):
                continue
            try:
                url = reverse(f"admin:{pattern.name}")
                extra.append(url)
                extra_perms[url] = _extra_perms(model_admin, pattern.callback)
            except Exception:  # a URL with an argument (a job's progress, a report): with an id
                with suppress(Exception):  # two arguments or more: not attacked
                    extra_id.append(reverse(f"admin:{pattern.name}", args=["1"]))
        out.append(
            AdminModel(
                label=f"{opts.app_label}.{opts.model_name}",
                base=reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
                actions=names,
                action_permissions=permissions,
                form_fields=fields,
                list_filters=filters,
                extra_urls=extra,
                extra_urls_with_id=extra_id,
                sample_pk=_first_pk(model),
                capabilities={
                    "add": model_admin.has_add_permission(request),
                    "change": model_admin.has_change_permission(request),
                    "delete": model_admin.has_delete_permission(request),
                    "view": model_admin.has_view_permission(request),
                },
                opts=opts,
                extra_permissions=extra_perms,
            )
        )
    return sorted(out, key=lambda m: m.label)


def analyst_lists() -> list[AnalystList]:
    from core.lists import specs

    out = []
    for key, spec in sorted(specs.REGISTRY.items()):
        filters = list(spec.filterset_class.base_filters) if spec.filterset_class else []
        out.append(AnalystList(key, f"/api/{spec.path}/", filters, spec.column_names(), _first_pk(spec.model)))
    return out


def other_paths() -> list[str]:
    """Every URL pattern of the resolver outside the schema and the admin, without arguments."""
    from django.urls import get_resolver

    out = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                if route.startswith("admin/"):
                    continue
                walk(p.url_patterns, route)
            elif "<" not in route and "(" not in route and "\\" not in route:
                out.add("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns)
    return sorted(out)


def read_surface(schema: dict | None = None) -> Surface:
    """The whole surface, from this process's Django (its database gives the sample ids)."""
    if schema is None:
        from drf_spectacular.generators import SchemaGenerator

        schema = SchemaGenerator().get_schema(request=None, public=True)
    return Surface(schema, operations_of(schema), analyst_lists(), admin_models(), other_paths())
