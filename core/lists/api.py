"""The analyst API under ``/api/``: read-only lists and details, filtered, ordered, paginated, exported.

Each list is one :class:`~core.lists.specs.ListSpec` (``<app>/exports.py``); :func:`viewset_for` builds its view, and
``config/api_urls.py`` routes every registered list at ``/api/<app>/<list>/``. Nothing here is per list.

- ``GET /api/<app>/<list>/?<filters>&search=..&ordering=-col&page=2&page_size=100&fields=a,b`` → a page.
- ``GET /api/<app>/<list>/<id>/?fields=a,b`` → one row.
- ``?format=csv|xlsx|json|jsonl`` → the WHOLE filtered list as a file (``json`` is one streamed array, ``jsonl``
  JSON Lines), ``&fields=a,b`` to choose columns. Needs the ``lists.export_data`` permission.
- ``?format=xml`` or ``Accept: application/xml`` → a page or a row in XML (djangorestframework-xml's shapes:
  ``<root>``, ``<list-item>``; ``core.wire.xml.SafeXMLRenderer``).

A page row, a JSON/JSON Lines export row and a detail are built by the same row function from the same columns,
so their keys (snake_case) and values are the same; CSV/XLSX headers are the columns' headers, in the same order.
"""

import re

import django_filters
from django import forms
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.field_mapping import ClassLookupDict

from core import replicas, roles
from core.auth import BasicAuthentication, JWTAuthentication
from core.errors import Invalid, NotFound
from core.permissions import RolePermission
from core.wire.xml import SafeXMLRenderer

from . import specs, writers

EXPORT_PERMISSION = roles.EXPORT_PERMISSION
FIELDS_PARAM = "fields"


class _ExportRenderer(BaseRenderer):
    """Lets ``?format=csv|xlsx|jsonl`` through content negotiation; the export itself streams its own response.
    Should an error be rendered in such a request, it is rendered as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class CSVRenderer(_ExportRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_ExportRenderer):
    media_type = writers.FORMATS["xlsx"][0]
    format = "xlsx"


class JSONLinesRenderer(_ExportRenderer):
    media_type = "application/x-ndjson"
    format = "jsonl"


class AnalystBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's browsable API on the read-only lists: the page, its filters form; no forms to write."""

    def get_rendered_html_form(self, data, view, method, request):
        return None


PAGE_MAX = 2**31 - 1  # far past the end of any list (a 404), and a number every database holds


class AnalystPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": PAGE_MAX},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


class AnalystPermission(RolePermission):
    """Reads need the model's ``view`` permission; exports also ``lists.export_data`` (the role table,
    ``core.roles``)."""

    def required_permissions(self, request, view) -> list[str] | None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return None  # a list is read-only: other methods are answered 405 by the view
        perms = roles.method_permissions(request.method, view.spec.model)
        if view.export_format(request):
            perms += roles.needs("export_data")
        return perms


ANALYST_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": True,
    "description": '`{"detail": "..."}` or `{"<parameter>": ["<message>", ...]}`',
}


class AnalystAutoSchema(AutoSchema):
    """Documents what every analyst read may answer besides 200: 400 (a filter value or ``fields`` is invalid),
    401, 403 and 404 (unknown id, or a page past the end); and ``?format=json``'s whole-list array."""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if isinstance(serializer, RowSerializer):
            schema.pop("required", None)  # ?fields= may leave any column out (drf-spectacular requires read-only)
        return schema

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if self.method == "GET" and direction == "response" and self._is_list_view():
            content = bodies.get("200", {}).get("content", {}).get("application/json")
            if content and "schema" in content:
                row = self.resolve_serializer(self.get_response_serializers(), "response").ref
                whole_list = {"type": "array", "items": row, "description": "?format=json: the whole filtered list"}
                content["schema"] = {"oneOf": [content["schema"], whole_list]}
        if self.method == "GET" and direction == "response" and "200" in bodies:
            self._describe_exports(bodies["200"].get("content", {}))
        if self.method == "GET" and direction == "response":
            for code, text in (
                ("400", "Invalid filter value, ordering or field name."),
                ("401", "Not authenticated."),
                ("403", "Without the view (or export) permission."),
                ("404", "Not found, or a page past the end."),
            ):
                body = bodies.setdefault(code, {"content": {}, "description": text})
                for media_type in ("application/json", SafeXMLRenderer.media_type):  # an error in the asked format
                    body["content"].setdefault(media_type, {"schema": ANALYST_ERROR_SCHEMA})
        return bodies

    def _describe_exports(self, content: dict) -> None:
        """The export media types as what they are (a CSV text, an XLSX workbook, JSON Lines), not the page's
        JSON schema. A detail asked in one of them answers its row as JSON text (it is no export)."""
        if self._is_list_view():
            row = self.resolve_serializer(self.get_response_serializers(), "response").ref["$ref"].split("/")[-1]
            described = {
                CSVRenderer.media_type: "?format=csv: the whole filtered list, a header line (the columns' "
                "headers) then one line per row, UTF-8.",
                XLSXRenderer.media_type: "?format=xlsx: the whole filtered list as one worksheet, the columns' "
                "headers in the first row.",
                JSONLinesRenderer.media_type: f"?format=jsonl: the whole filtered list as JSON Lines, one `{row}` "
                "object per line.",
            }
        else:
            described = dict.fromkeys(
                (CSVRenderer.media_type, XLSXRenderer.media_type, JSONLinesRenderer.media_type),
                "A detail is no export: its row as JSON text.",
            )
        for media_type, description in described.items():
            if media_type in content:
                schema = {"type": "string", "description": description}
                if media_type == XLSXRenderer.media_type:
                    schema["format"] = "binary"
                content[media_type] = {"schema": schema}


class RowSerializer(serializers.Serializer):
    """Describes a list's row for the OpenAPI schema. The rows themselves are built by
    :func:`core.lists.writers.json_rows` (the same function as JSON exports), so this returns them as they are."""

    def to_representation(self, instance):
        return instance


_FIELD_FOR = ClassLookupDict(serializers.ModelSerializer.serializer_field_mapping)


def _schema_field(spec: specs.ListSpec, column: specs.Column) -> serializers.Field:
    """The serializer field that documents a column: the model field's type, nullable where the value can be."""
    model_field = spec.final_field(column)
    options = {
        "read_only": True,
        "required": False,  # ?fields= may leave it out
        "allow_null": spec.nullable(column),
        "help_text": column.header,
    }
    if model_field is not None and model_field.choices:
        return serializers.ChoiceField(choices=model_field.choices, allow_blank=model_field.blank, **options)
    try:
        field_class = _FIELD_FOR[model_field] if model_field is not None else serializers.CharField
    except KeyError:
        field_class = serializers.CharField
    if field_class is serializers.ModelField:
        field_class = serializers.CharField
    return field_class(**options)


def row_serializer(spec: specs.ListSpec) -> type[serializers.Serializer]:
    name = f"{spec.model.__name__}ListSerializer"
    attrs = {column.name: _schema_field(spec, column) for column in spec.columns}
    attrs["__doc__"] = f"A row of the list {spec.key} (every key unless `fields=` chooses some)."
    return type(name, (RowSerializer,), attrs)


class AnalystViewSet(viewsets.GenericViewSet):
    """A list and its details, from a :class:`~core.lists.specs.ListSpec` (see :func:`viewset_for`)."""

    authentication_classes = [BasicAuthentication, JWTAuthentication, SessionAuthentication]
    permission_classes = [AnalystPermission]
    # The backend documents the FilterSet's parameters; filtering itself is ``ListSpec.filtered`` (one path for
    # the API, the admin's exports, background jobs and the command).
    filter_backends = [DjangoFilterBackend]
    pagination_class = AnalystPagination
    # JSON first (what */* gets); the browsable API for a browser's Accept or ?format=api; then the exports; XML
    # (a page or a row, as JSON's) for ?format=xml or Accept: application/xml.
    renderer_classes = [
        JSONRenderer,
        AnalystBrowsableAPIRenderer,
        CSVRenderer,
        XLSXRenderer,
        JSONLinesRenderer,
        SafeXMLRenderer,
    ]
    schema = AnalystAutoSchema()
    spec: specs.ListSpec

    @classmethod
    def export_format(cls, request) -> str | None:
        if getattr(request, "method", "GET") != "GET":
            return None
        fmt = request.query_params.get("format")
        return fmt if fmt in writers.FORMATS else None

    @property
    def filterset_class(self):
        return self.spec.filterset_class

    def get_queryset(self):
        """The list on a read replica when there is one (``core.replicas``): pages, details and exports alike (an
        export streams after the view has returned, so the queryset carries the replica itself)."""
        return replicas.reading(super().get_queryset())

    def filter_queryset(self, queryset):
        try:
            return self.spec.filtered(self.request.query_params, queryset)
        except Invalid as exc:
            raise _bad_request(exc) from None

    def columns(self) -> list[specs.Column]:
        params = self.request.query_params
        # Repeated or comma-separated, as every multi-value parameter (core.filters.both_spellings).
        names = ",".join(params.getlist(FIELDS_PARAM)).split(",") if FIELDS_PARAM in params else []
        try:
            return self.spec.select(names)
        except Invalid as exc:
            raise _bad_request(exc) from None

    def check_query(self) -> None:
        """The query is what the published schema says, or a 400 naming each parameter: one value per
        parameter (but multi-value ones: repeatable choices, ``ordering`` and ``fields``, repeated or
        comma-separated), no empty value where the schema has a type (a date-time, a number,
        a choice...), booleans spelt ``true``/``false``, ``page_size`` 1..1000, ``fields`` column names joined
        by commas. The FilterSet then judges each value (formats, ranges, choices)."""
        filters = self.spec.filterset_class.base_filters
        errors: dict[str, list[str]] = {}
        for name, values in self.request.query_params.lists():
            problem = _query_problem(filters.get(name), name, values)
            if problem:
                errors[name] = [problem]
        if errors:
            raise exceptions.ValidationError(errors)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(getattr(response, "accepted_renderer", None), _ExportRenderer):
            # An error answered to an export request: render it as JSON, not as text/csv.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

    def list(self, request, *args, **kwargs):
        self.check_query()
        columns = self.columns()
        queryset = self.filter_queryset(self.get_queryset())
        fmt = self.export_format(request)
        if fmt is not None:
            return writers.streaming_response(queryset, columns, fmt, self.spec.key.replace(".", "-"))
        page = self.paginate_queryset(queryset.values_list(*[c.lookup for c in columns]))
        return self.get_paginated_response(list(writers.json_rows(page, columns, model=self.spec.model)))

    def retrieve(self, request, *args, **kwargs):
        self.check_query()
        columns = self.columns()
        try:
            return Response(self.spec.row(self.get_queryset(), kwargs[self.lookup_field], columns))
        except NotFound as exc:
            raise Http404(exc.message) from None


# Multi-value parameters: repeated or comma-separated alike (core.filters.both_spellings); any other is given once.
_REPEATABLE = (django_filters.MultipleChoiceFilter, django_filters.filters.BaseCSVFilter)
_SINGLE = {"page", "page_size", "format", "search"}
_FORMATS = (*writers.FORMATS, AnalystBrowsableAPIRenderer.format, SafeXMLRenderer.format)  # files, pages


def _is_text(filter_) -> bool:
    """A filter whose schema is a plain string (an empty value is a value), or an array (an empty one)."""
    if isinstance(filter_, django_filters.OrderingFilter):
        return True
    field_class = filter_.field_class
    return issubclass(field_class, forms.CharField) and not issubclass(field_class, forms.UUIDField)


def _query_problem(filter_, name: str, values: list[str]) -> str | None:
    if filter_ is None and name not in _SINGLE and name != FIELDS_PARAM:
        return None  # not a parameter of this list: ignored, as DRF does
    if len(values) > 1 and not isinstance(filter_, _REPEATABLE) and name != FIELDS_PARAM:
        return "Give this parameter once."
    for value in values:
        if name == "page_size":
            if not re.fullmatch(r"[0-9]{1,4}", value) or not 1 <= int(value) <= AnalystPagination.max_page_size:
                return f"A whole number from 1 to {AnalystPagination.max_page_size}."
        elif name == "page":
            if not re.fullmatch(r"[0-9]{1,10}", value) or not 1 <= int(value) <= PAGE_MAX:
                return f"A whole number from 1 to {PAGE_MAX}."
        elif name == "format":
            if value not in _FORMATS:
                return f"One of {', '.join(_FORMATS)}."
        elif name == FIELDS_PARAM:
            if "" in value.split(","):
                return "Column names joined by commas (no empty name)."
        elif isinstance(filter_, django_filters.BooleanFilter):
            if value not in ("true", "false"):
                return "Either true or false."
        elif value == "" and filter_ is not None and not _is_text(filter_):
            return "This value may not be empty."
    return None


def _bad_request(exc: Invalid) -> exceptions.ValidationError:
    detail: dict[str, list[str]] = {}
    for path, text in exc.errors or [("detail", exc.message)]:
        detail.setdefault(path or "detail", []).append(text)
    return exceptions.ValidationError(detail)


def viewset_for(spec: specs.ListSpec) -> type[AnalystViewSet]:
    """The read-only viewset of a list: its rows, filters, orderings and formats all come from ``spec``."""
    serializer_class = row_serializer(spec)
    column = "(?:" + "|".join(re.escape(name) for name in spec.column_names()) + ")"
    fields_parameter = OpenApiParameter(
        FIELDS_PARAM,
        {"type": "string", "pattern": f"^{column}(?:,{column})*$"},
        description=(
            "Comma-separated columns to answer (pages, details and exports), in that order; all by default. "
            f"Columns: {', '.join(spec.column_names())}."
        ),
    )
    viewset = type(
        f"{spec.model.__name__}AnalystViewSet",
        (AnalystViewSet,),
        {
            "spec": spec,
            "queryset": spec.base_queryset(),
            "serializer_class": serializer_class,
            "__doc__": spec.title or f"The list {spec.key}.",
            "__module__": __name__,
        },
    )
    plural = spec.model._meta.verbose_name_plural
    return extend_schema_view(
        list=extend_schema(
            tags=[ANALYST_TAG],
            summary=f"List {plural} ({spec.key})",
            parameters=[fields_parameter],
            description=_list_description(spec),
        ),
        retrieve=extend_schema(
            tags=[ANALYST_TAG], summary=f"Get one of the {plural} ({spec.key})", parameters=[fields_parameter]
        ),
    )(viewset)


ANALYST_TAG = "analyst"  # declared with its description in SPECTACULAR_SETTINGS["TAGS"]


def _list_description(spec: specs.ListSpec) -> str:
    lines = [spec.title or f"The list `{spec.key}`.", ""]
    lines.append(
        "Columns (JSON keys, `fields=` names and CSV/XLSX headers): "
        + ", ".join(f"`{c.name}` ({c.header})" for c in spec.columns)
        + "."
    )
    if spec.orderings:
        lines.append("")
        lines.append("`ordering` by: " + ", ".join(f"`{name}`" for name in spec.orderings) + ".")
    lines.append("")
    lines.append("`?format=csv|xlsx|json|jsonl` exports the whole filtered list (permission `lists.export_data`).")
    return "\n".join(lines)
