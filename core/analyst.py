"""The analyst API under ``/api/``: read-only lists and details, filtered, ordered, paginated, exported.

A domain app subclasses :class:`AnalystViewSet` with an ``export_spec`` (see ``core/exports.py``) and a
``serializer_class``; the FilterSet of the spec serves the list, the export and the admin alike.

- ``GET /api/<app>/<list>/?<filters>&ordering=-field&page=2&page_size=100`` → a page (DRF conventions).
- ``?format=csv|xlsx|json|jsonl`` → the WHOLE filtered list as a file (``json`` is one streamed array,
  ``jsonl`` JSON Lines), ``&fields=a,b`` to choose columns. Needs the ``core.export_data`` permission.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.renderers import BaseRenderer, JSONRenderer

from . import exports
from .auth import BasicAuthentication, JWTAuthentication

EXPORT_PERMISSION = "core.export_data"


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
    media_type = exports.FORMATS["xlsx"][0]
    format = "xlsx"


class JSONLinesRenderer(_ExportRenderer):
    media_type = "application/x-ndjson"
    format = "jsonl"


class AnalystPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


class AnalystPermission(DjangoModelPermissions):
    """Reads need the model's ``view`` permission; exports also ``core.export_data``."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}
    perms_map["HEAD"] = perms_map["GET"]

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if view.export_format(request):
            return request.user.has_perm(EXPORT_PERMISSION)
        return True


ANALYST_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": True,
    "description": '`{"detail": "..."}` or `{"<filter>": ["<message>", ...]}`',
}


class AnalystAutoSchema(AutoSchema):
    """Documents what every analyst read may answer besides 200: 400 (a filter value or ``fields`` is invalid),
    401, 403 and 404 (unknown id, or a page past the end)."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if self.method == "GET" and direction == "response" and self._is_list_view():
            # ``?format=json`` answers the whole list as one array instead of a page.
            content = bodies.get("200", {}).get("content", {}).get("application/json")
            if content and "schema" in content:
                whole_list = {"type": "array", "items": {"type": "object"}, "description": "?format=json"}
                content["schema"] = {"oneOf": [content["schema"], whole_list]}
        if self.method == "GET" and direction == "response":
            for code, text in (
                ("400", "Invalid filter value or export field."),
                ("401", "Not authenticated."),
                ("403", "Without the view (or export) permission."),
                ("404", "Not found, or a page past the end."),
            ):
                bodies.setdefault(
                    code, {"content": {"application/json": {"schema": ANALYST_ERROR_SCHEMA}}, "description": text}
                )
        return bodies


EXPORT_PARAMETERS = [
    OpenApiParameter(
        "fields",
        OpenApiTypes.STR,
        description="Exports only (`?format=csv|xlsx|json|jsonl`): comma-separated columns to export.",
    ),
]


class AnalystViewSet(viewsets.ReadOnlyModelViewSet):
    authentication_classes = [BasicAuthentication, JWTAuthentication, SessionAuthentication]
    permission_classes = [AnalystPermission]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    pagination_class = AnalystPagination
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer, JSONLinesRenderer]
    schema = AnalystAutoSchema()
    export_spec: exports.ExportSpec

    @classmethod
    def export_format(cls, request) -> str | None:
        if getattr(request, "method", "GET") != "GET":
            return None
        fmt = request.query_params.get("format")
        return fmt if fmt in exports.FORMATS else None

    @property
    def filterset_class(self):
        """DjangoFilterBackend reads this: the list filters with the export's own FilterSet."""
        return self.export_spec.filterset_class

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(getattr(response, "accepted_renderer", None), _ExportRenderer):
            # An error answered to an export request: render it as JSON, not as text/csv.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

    def list(self, request, *args, **kwargs):
        fmt = self.export_format(request)
        if fmt is None or self.action != "list":
            return super().list(request, *args, **kwargs)
        names = [n.strip() for n in request.query_params.get("fields", "").split(",") if n.strip()]
        try:
            columns = self.export_spec.select(names)
        except ValueError as exc:
            raise exceptions.ValidationError({"fields": [str(exc)]}) from None
        queryset = self.filter_queryset(self.get_queryset())
        filename = self.export_spec.key.replace(".", "-")
        return exports.streaming_response(queryset, columns, fmt, filename)


def analyst_schema(viewset_class):
    """Document the ``fields`` parameter on a viewset's list."""
    return extend_schema_view(list=extend_schema(parameters=EXPORT_PARAMETERS))(viewset_class)
