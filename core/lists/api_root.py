"""The front door of the analyst API (``GET /api/``) and the site's home page (``/``).

``GET /api/`` lists every analyst list from the :class:`~core.lists.specs.ListSpec` registry: its path, columns,
filters (with their type and help), orderings and export formats. Nothing here is written per list: a list
added in ``<app>/exports.py`` appears on its own.
"""

import django_filters
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.filters import OrderingFilter, SearchFilter

from . import specs, writers
from .api import FIELDS_PARAM

PAGE_PARAMS = ("page", "page_size", FIELDS_PARAM, "format")


def _filter_type(f) -> str:
    for kind, name in (
        (OrderingFilter, "ordering"),
        (SearchFilter, "text (contains, case-insensitive)"),
        (django_filters.MultipleChoiceFilter, "choices"),
        (django_filters.ChoiceFilter, "choice"),
        (django_filters.IsoDateTimeFilter, "date-time (ISO 8601)"),
        (django_filters.DateFilter, "date (YYYY-MM-DD)"),
        (django_filters.BooleanFilter, "boolean (true/false)"),
        (django_filters.NumberFilter, "number"),
        (django_filters.ModelChoiceFilter, "id"),
    ):
        if isinstance(f, kind):
            return name
    return "text"


def describe_list(spec: specs.ListSpec, request=None) -> dict:
    """One list as the front door shows it."""
    path = reverse(f"analyst-{spec.key.replace('.', '-')}-list")
    filters = []
    for name, f in spec.filterset_class.base_filters.items():
        if isinstance(f, OrderingFilter):
            continue
        item = {"name": name, "type": _filter_type(f)}
        choices = getattr(f, "extra", {}).get("choices")
        if choices:
            item["choices"] = [str(value).strip() for value, _ in choices]
        help_text = f.extra.get("help_text") or getattr(f, "help_text", "")
        if help_text:
            item["help"] = str(help_text)
        filters.append(item)
    return {
        "key": spec.key,
        "title": spec.title or spec.model._meta.verbose_name_plural.capitalize(),
        "path": path,
        "url": request.build_absolute_uri(path) if request is not None else path,
        "columns": spec.column_names(),
        "filters": filters,
        "orderings": list(spec.orderings),
        "default_ordering": list(spec.ordering),
        "formats": ["json (pages)", *writers.FORMATS],
        "parameters": list(PAGE_PARAMS),
    }


ApiRootSerializer = inline_serializer(
    "AnalystApiRoot",
    fields={
        "lists": serializers.ListField(child=serializers.DictField(), help_text="Every analyst list."),
        "schema": serializers.CharField(),
        "docs": serializers.CharField(),
        "redoc": serializers.CharField(),
        "token": serializers.CharField(),
    },
)


class ApiRootView(APIView):
    """``GET /api/``: every analyst list with its path, columns, filters, orderings and formats (no login needed:
    it describes, it shows no rows)."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    def get_view_name(self):
        return "Analyst API"

    @extend_schema(
        tags=["analyst"],
        summary="Describe the analyst API",
        responses={200: ApiRootSerializer},
        description="The analyst API's front door: every list with its path, filters, orderings and formats.",
    )
    def get(self, request):
        return Response(
            {
                "lists": [describe_list(spec, request) for _, spec in sorted(specs.REGISTRY.items())],
                "schema": request.build_absolute_uri(reverse("schema")),
                "docs": request.build_absolute_uri(reverse("swagger-ui")),
                "redoc": request.build_absolute_uri(reverse("redoc")),
                "token": request.build_absolute_uri(reverse("token_obtain_pair")),
            }
        )


def home(request):
    """``/``: a small page linking the admin, the API root, the API docs and the health check."""
    return render(request, "home.html", {"lists": [describe_list(s) for _, s in sorted(specs.REGISTRY.items())]})
