"""Oracle UIM bundle-service endpoints: create/update a bundle, read it, run its tasks, read services."""

import json
from pathlib import Path

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core import roles
from core.errors import Invalid
from core.filters import join_repeated

from .. import selectors, services
from ..errors import bundle_not_found, service_not_found
from ..filters import ServiceFilterSet
from ..models import BusinessInteraction, Service, ServiceState
from . import uim
from .errors import DOMAIN_ERROR_CODES
from .render import SERVICE_ATTRIBUTES, SERVICE_LINK_KINDS, Links, ServiceRenderer, render_bundle
from .schema import UIMBundleSerializer, UIMServiceSerializer
from .serializers import (
    BundleCreateSerializer,
    BundleQuerySerializer,
    BundleUpdateSerializer,
    ServiceListQuerySerializer,
    named_entities,
)
from .terms import wire_invalid
from .uim import UIMAPIView

EXAMPLES = Path(__file__).resolve().parent / "examples"


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"bundle-{name}.json").read_text())


def _answered(name: str) -> dict:
    """The spec's response example as this server answers it: TMF638's ``@referredType`` on each related party
    (the UIM example predates it; the party's type is ``Party`` in the example's data)."""
    body = _example(name)
    for item in body.get("items", []):
        for party in item.get("relatedParty", []):
            party.setdefault("@referredType", "Party")
    return body


VERSION = OpenApiParameter(
    "version", str, OpenApiParameter.PATH, enum=list(uim.VERSIONS), description="API version; hrefs echo it."
)
DEPTH = OpenApiParameter(
    "depth",
    {"type": "integer", "minimum": 0, "maximum": 10},
    description="0 (default) to 10: levels of referenced entities expanded; the last holds links.",
)
EXPAND = OpenApiParameter(
    "expand",
    str,
    description=f"Comma-separated (or repeated), among {', '.join(SERVICE_LINK_KINDS)}: embed those services "
    "instead of links.",
)
FIELDS = OpenApiParameter(
    "fields",
    str,
    description="Comma-separated (or repeated) first-level service attributes to return (id and href always are); "
    f"names that are not attributes select nothing. Attributes: {', '.join(SERVICE_ATTRIBUTES)}.",
)
READ_PARAMETERS = [VERSION, FIELDS, EXPAND, DEPTH]
LIST_PARAMETERS = ("fields", "expand")
BUNDLE_ID = OpenApiParameter("bundle_id", str, OpenApiParameter.PATH, description="Bundle id.")
# Documented with Basic and JWT; session auth (also accepted) is for the browser.
AUTH = [{"basicAuth": []}, {"jwtAuth": []}]


def _perms(method: str, *models) -> list[str]:
    """The role table's permissions for a method (core.roles.METHOD_ACTIONS); every write is an upsert."""
    return roles.method_permissions(method if method in ("GET", "HEAD", "OPTIONS") else "POST", *models)


class InventoryView(UIMAPIView):
    query_serializer_class = BundleQuerySerializer
    domain_error_codes = DOMAIN_ERROR_CODES

    def initial(self, request, *args, **kwargs):
        if kwargs.get("version") not in uim.VERSIONS:
            raise NotFound(f"No resource at {request.path}: the API versions are {', '.join(uim.VERSIONS)}.")
        super().initial(request, *args, **kwargs)

    def query(self, request) -> dict:
        # The lists (``fields``, ``expand``) are comma-separated or repeated alike (core.filters.join_repeated);
        # any other parameter is one value: given twice it is ambiguous, refused rather than read as its last value.
        params = join_repeated(request.query_params, LIST_PARAMETERS)
        repeated = {name: ["given more than once: give it once."] for name, values in params.lists() if len(values) > 1}
        if repeated:
            raise drf_serializers.ValidationError(repeated)
        serializer = self.query_serializer_class(data=params)
        # A typed parameter sent empty (``depth=``) is no value of its type: refused, not read as its default.
        empty = {
            name: ["an empty value is not a number or a boolean: give a value or leave the parameter out."]
            for name, field in serializer.fields.items()
            if isinstance(field, drf_serializers.IntegerField | drf_serializers.BooleanField)
            and request.query_params.get(name) == ""
        }
        if empty:
            raise drf_serializers.ValidationError(empty)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def renderer(self, request, version: str, options: dict) -> ServiceRenderer:
        return ServiceRenderer(
            Links.for_request(request, version),
            depth=options.get("depth", 0),
            expand=options.get("expand") or frozenset(),
            fields=options.get("fields") or (),
        )

    def bundle_response(self, request, version, bundle_id, options, status=200) -> Response:
        bundle, items = selectors.bundle_with_items(bundle_id)
        if bundle is None:
            raise bundle_not_found(bundle_id)
        renderer = self.renderer(request, version, options)
        renderer.graph.services.update((item.pk, item) for item in items)
        body = render_bundle(bundle, [item.pk for item in items], renderer)
        return Response(body, status=status)


EMPTY_BUNDLE_ID = "must not be empty: leave it out (or null) to create a bundle, or give the bundle's id to update it."


def _names_a_bundle(data) -> bool:
    """Whether a bundle POST is an update. The spec creates when no id is given and updates when one is: an absent
    id or ``null`` creates; an empty one (``""``, blanks) is neither, and a 400 rather than a silent new bundle."""
    if not isinstance(data, dict) or data.get("id") is None:
        return False
    if isinstance(data["id"], str) and not data["id"].strip():
        raise drf_serializers.ValidationError({"id": [EMPTY_BUNDLE_ID]})
    return True


class _CreateOrUpdateSchema(AutoSchema):
    """The bundle POST always takes a body, a create's or an update's: drf-spectacular leaves a oneOf body optional,
    so a client generated from the document could send none (which is a 400)."""

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, _required = super()._get_request_for_media_type(serializer, direction)
        return schema, True


class BundleView(InventoryView):
    schema = _CreateOrUpdateSchema()

    def get_required_permissions(self, method):
        return _perms(method, BusinessInteraction, Service)

    @extend_schema(
        auth=AUTH,
        operation_id="bundle_create_or_update",
        summary="Create or update a bundle service",
        description=(
            "Without a bundle `id`: create the bundle (each item needs `name`, `serviceSpecification`, `state`). "
            "With one: update its items (only id, description, name, supportingResource, relatedParty, "
            "serviceCharacteristic, place, externalIdentity). `designOnly=false` then approves, issues and "
            "activates the bundle asynchronously."
        ),
        parameters=[
            VERSION,
            OpenApiParameter("designOnly", bool, description="true (default): apply only; false: also activate."),
            FIELDS,
            EXPAND,
            DEPTH,
        ],
        # One of two bodies, each documented by the serializer that validates it: no id creates, an id updates.
        request=PolymorphicProxySerializer(
            component_name="BundleCreateOrUpdate",
            serializers=[BundleCreateSerializer, BundleUpdateSerializer],
            resource_type_field_name=None,
        ),
        responses={201: UIMBundleSerializer, **uim.error_responses(404)},
        examples=[
            OpenApiExample("Create (the spec's example)", value=_example("create-request"), request_only=True),
            OpenApiExample("Update (the spec's example)", value=_example("update-request"), request_only=True),
            OpenApiExample("Created", value=_answered("create-response"), response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request, version):
        # The body's bounds first, lengths only (an update's items have the same lists and bounds as a create's):
        # no lookup, validation or write walks a list over its bound.
        BundleCreateSerializer().check_bounds(request.data)
        options = self.query(request)
        if _names_a_bundle(request.data):
            return self._update(request, version, options)
        return self._create(request, version, options)

    def _update(self, request, version, options) -> Response:
        # The bundle must exist before its items are worth validating.
        if selectors.bundle_get(request.data["id"]) is None:
            raise bundle_not_found(request.data["id"])
        serializer = BundleUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bundle = _run(services.bundle_update, **serializer.service_arguments(), design_only=options["designOnly"])
        return self.bundle_response(request, version, bundle.pk, options, status=201)

    def _create(self, request, version, options) -> Response:
        raw_items = request.data.get("items") if isinstance(request.data, dict) else None
        references = services.bundle_references_check(names=named_entities(raw_items))
        serializer = BundleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        design_only = options["designOnly"]
        renderer = self.renderer(request, version, options)
        # A design-only create answers what it wrote, rendered from the rows written (not read back again); one
        # that starts the activation reads the bundle back, which the activation may have moved on already.
        written = renderer.graph if design_only else None
        bundle = _run(
            services.bundle_create,
            **serializer.service_arguments(),
            design_only=design_only,
            references=references,
            written=written,
        )
        if written is None:
            return self.bundle_response(request, version, bundle.pk, options, status=201)
        return Response(render_bundle(bundle, written.items, renderer), status=201)


def _run(write, **arguments):
    """A bundle write, its ``Invalid`` with the wire's names."""
    try:
        return write(**arguments)
    except Invalid as exc:
        raise wire_invalid(exc) from exc


class BundleDetailView(InventoryView):
    def get_required_permissions(self, method):
        return _perms(method, BusinessInteraction)

    @extend_schema(
        auth=AUTH,
        operation_id="bundle_retrieve",
        summary="Read a bundle service",
        parameters=[*READ_PARAMETERS, BUNDLE_ID],
        responses={200: UIMBundleSerializer, **uim.error_responses(404)},
        examples=[OpenApiExample("Bundle", value=_answered("create-response"), response_only=True)],
    )
    def get(self, request, version, bundle_id):
        return self.bundle_response(request, version, bundle_id, self.query(request))


class BundleTaskView(InventoryView):
    def get_required_permissions(self, method):
        return [f"inventory.change_{BusinessInteraction._meta.model_name}"] if method == "POST" else []

    @extend_schema(
        auth=AUTH,
        operation_id="bundle_task",
        summary="Run a task on a bundle: APPROVE, ISSUE, ACTIVATE or CANCEL",
        description=(
            "APPROVE from IN_PROGRESS (a new bundle is CREATED, which counts as IN_PROGRESS), ISSUE from APPROVED, "
            "ACTIVATE from ISSUED, CANCEL from IN_PROGRESS. Out of order, or on a cancelled or completed bundle: "
            "400 naming the state."
        ),
        parameters=[
            *READ_PARAMETERS,
            BUNDLE_ID,
            OpenApiParameter("task", str, OpenApiParameter.PATH, enum=list(services.TASKS)),
        ],
        request=None,
        responses={200: UIMBundleSerializer, **uim.error_responses(404)},
    )
    def post(self, request, version, bundle_id, task):
        options = self.query(request)
        bundle = services.bundle_run_task(bundle_id=bundle_id, task=task)
        return self.bundle_response(request, version, bundle.pk, options)


class _ServiceView(InventoryView):
    query_serializer_class = ServiceListQuerySerializer

    def get_required_permissions(self, method):
        return _perms(method, Service)


class ServiceListView(_ServiceView):
    @extend_schema(
        auth=AUTH,
        operation_id="service_list",
        summary="List services",
        parameters=[
            *READ_PARAMETERS,
            OpenApiParameter("name", str),
            OpenApiParameter("state", str, description="One of " + ", ".join(ServiceState.values) + "."),
            OpenApiParameter("category", str, description="CFS or RFS."),
            OpenApiParameter("serviceSpecification.name", str),
            OpenApiParameter("supportingResource.id", str),
            OpenApiParameter("relatedParty.id", str),
            OpenApiParameter("offset", {"type": "integer", "minimum": 0, "maximum": 10**9}, description="Skip."),
            OpenApiParameter(
                "limit", {"type": "integer", "minimum": 1, "maximum": 1000}, description="At most (default 100)."
            ),
            OpenApiParameter(
                "X-Total-Count", int, OpenApiParameter.HEADER, response=[200], description="Services matching."
            ),
            OpenApiParameter(
                "X-Result-Count", int, OpenApiParameter.HEADER, response=[200], description="Services returned."
            ),
        ],
        responses={200: UIMServiceSerializer(many=True), **uim.error_responses(404)},
    )
    def get(self, request, version):
        options = self.query(request)
        for name, value in request.query_params.items():
            if "\x00" in value:  # the one rule of every family: NUL characters are refused
                raise Invalid("Null characters are not allowed.", field=name)
        filterset = ServiceFilterSet(request.query_params, queryset=Service.objects.all())
        if not filterset.is_valid():
            raise drf_serializers.ValidationError(filterset.errors)
        queryset = filterset.qs.order_by("pk")
        total = queryset.count()
        start = options["offset"]
        ids = list(queryset.values_list("pk", flat=True)[start : start + options["limit"]])
        body = self.renderer(request, version, options).render_many(ids)
        return Response(body, headers={"X-Total-Count": str(total), "X-Result-Count": str(len(body))})


class ServiceDetailView(_ServiceView):
    @extend_schema(
        auth=AUTH,
        operation_id="service_retrieve",
        summary="Read a service",
        parameters=[
            *READ_PARAMETERS,
            OpenApiParameter("service_id", str, OpenApiParameter.PATH, description="Service id."),
        ],
        responses={200: UIMServiceSerializer, **uim.error_responses(404)},
    )
    def get(self, request, version, service_id):
        options = self.query(request)
        renderer = self.renderer(request, version, options)
        pk = selectors.as_pk(service_id)
        found = renderer.render_many([pk]) if pk is not None else []
        if not found:
            raise service_not_found(service_id)
        return Response(found[0])
