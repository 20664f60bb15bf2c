"""BMC Helix events-service: blackout policies and event ingest. Views validate, call one service, render.

Domain errors are not caught here: ``errors.BlackoutsAPIView`` answers them through the one table
(``errors.ANSWERS``), by the operation each method declares in ``operations``.
"""

import uuid

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from core.errors import Invalid

from .. import selectors, services
from ..models import BlackoutPolicy, Event
from . import bmc, examples, schemas
from .bmc import now_ms, status_body
from .errors import BlackoutsAPIView
from .serializers import (
    BulkDeleteResultSerializer,
    EnableResultSerializer,
    IngestResultSerializer,
    PolicyFoundSerializer,
    ResourceIdSerializer,
    SearchResultSerializer,
    policy_fields,
    policy_representation,
)

TAG = ["blackouts"]
POLICY_ID = OpenApiParameter(
    "policy_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="the policy's id (another string: 400)"
)


def request_body(schema: dict) -> dict:
    """The published request body: the JSON schema the endpoint validates, as OpenAPI 3.0."""
    return {"application/json": schemas.openapi(schema)}


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        return None


class PolicyView(BlackoutsAPIView):
    """Model permissions on BlackoutPolicy (``WirePermission`` maps each method to its action)."""

    permission_model = BlackoutPolicy

    def ids(self) -> list:
        """The body's ``ids`` once the body satisfies the schema; null or empty: the spec's 400."""
        body = self.request.data
        if isinstance(body, dict) and set(body) <= {"ids"} and body.get("ids") in (None, []):
            raise Invalid("No ids were given", code="blackouts.ids_empty", field="ids")
        return self.validated_body()["ids"]


class BlackoutPolicyCreateView(PolicyView):
    request_schema = schemas.POLICY
    operations = {"POST": "policy_create"}

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policy_create",
        summary="Create a blackout policy",
        request=request_body(schemas.POLICY),
        responses={200: ResourceIdSerializer, **bmc.error_responses(status_body_codes=(409,))},
        examples=[*examples.CREATE_EXAMPLES, examples.RESOURCE_ID],
    )
    def post(self, request):
        fields = policy_fields(self.validated_body())
        policy = services.policy_create(fields=fields, owner=request.user.get_username())
        return Response({"resourceId": [str(policy.pk)]})


class BlackoutPolicyDetailView(PolicyView):
    request_schema = schemas.POLICY
    operations = {"GET": "policy_get", "PUT": "policy_update", "DELETE": "policy_delete"}

    @staticmethod
    def _policy_id(policy_id: str) -> uuid.UUID:
        parsed = _uuid(policy_id)
        if parsed is None:
            raise Invalid("Invalid UUID string", code="blackouts.bad_policy_id", field="ID", value=policy_id[:64])
        return parsed

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policy_get",
        summary="Get policy details",
        parameters=[POLICY_ID],
        responses={
            200: PolicyFoundSerializer,
            400: OpenApiResponse(PolicyFoundSerializer, description="Invalid UUID (blackoutPolicy null)"),
            404: OpenApiResponse(PolicyFoundSerializer, description="No such policy (blackoutPolicy null)"),
            **{k: v for k, v in bmc.error_responses().items() if k != 400},
        },
        examples=[examples.GET_FOUND, examples.GET_NOT_FOUND],
    )
    def get(self, request, policy_id: str):
        policy = selectors.policy_get(policy_id=self._policy_id(policy_id))
        return Response(
            status_body("200", "Policy found!", blackoutPolicy=policy_representation(policy, timezone.now()))
        )

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policy_update",
        summary="Update an existing policy (the name must not change)",
        parameters=[POLICY_ID],
        request=request_body(schemas.POLICY),
        responses={200: ResourceIdSerializer, **bmc.error_responses(status_body_codes=(404, 409), either_codes=(400,))},
        examples=[examples.UPDATE, examples.RESOURCE_ID, examples.POLICY_ACTIVE],
    )
    def put(self, request, policy_id: str):
        pk = self._policy_id(policy_id)
        fields = policy_fields(self.validated_body())
        policy = services.policy_update(policy_id=pk, fields=fields)
        return Response({"resourceId": [str(policy.pk)]})

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policy_delete",
        summary="Delete a blackout policy",
        parameters=[POLICY_ID],
        responses={200: ResourceIdSerializer, **bmc.error_responses(status_body_codes=(404,), either_codes=(400,))},
        examples=[examples.DELETE_ONE_OK, examples.POLICY_NOT_EXIST],
    )
    def delete(self, request, policy_id: str):
        pk = self._policy_id(policy_id)
        services.policy_delete(policy_id=pk)
        return Response({"resourceId": [str(pk)]})


class BlackoutPolicyBulkDeleteView(PolicyView):
    request_schema = schemas.IDS
    operations = {"POST": "policies_delete"}

    def get_required_permissions(self, method):
        return ["blackouts.delete_blackoutpolicy"]

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policies_delete",
        summary="Delete blackout policies",
        request=request_body(schemas.IDS),
        responses={
            200: BulkDeleteResultSerializer,
            404: OpenApiResponse(BulkDeleteResultSerializer, description="POLICY_NOT_EXIST: none of them exists"),
            **bmc.error_responses(),
        },
        examples=[examples.IDS, examples.BULK_OK, examples.BULK_PARTIAL, examples.BULK_NONE],
    )
    def post(self, request):
        parsed = [(item, _uuid(item)) for item in self.ids()]
        deleted, _ = services.policies_delete(ids=[pk for _, pk in parsed if pk is not None])
        done = {str(pk) for pk in deleted}
        ok = [item for item, pk in parsed if pk is not None and str(pk) in done]
        failed = [item for item, pk in parsed if pk is None or str(pk) not in done]
        if not ok:
            raise services.policy_not_found(failed)
        if failed:
            return Response(status_body("PARTIAL_SUCCESS", "Deleted policies.", resourceId=ok, failedResource=failed))
        return Response(status_body("OK", "Deleted policies.", resourceId=ok))


class _SetEnabledView(PolicyView):
    request_schema = schemas.IDS
    enabled = True
    message = ""

    def post(self, request):
        ids = []
        for item in self.ids():
            pk = _uuid(item)
            if pk is None:
                raise Invalid("Invalid resource id", code="blackouts.bad_resource_id", field="ids", id=item)
            ids.append(pk)
        services.policies_set_enabled(ids=ids, enabled=self.enabled)
        return Response({"message": self.message, "object": [str(pk) for pk in dict.fromkeys(ids)]})


class BlackoutPolicyEnableView(_SetEnabledView):
    operations = {"POST": "policies_enable"}
    enabled = True
    message = "Enabled event policies"

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policies_enable",
        summary="Enable multiple blackout policies",
        request=request_body(schemas.IDS),
        responses={200: EnableResultSerializer, **bmc.error_responses()},
        examples=[examples.ENABLE_IDS, examples.ENABLED, examples.EMPTY_IDS, examples.INVALID_ID],
    )
    def post(self, request):
        return super().post(request)


class BlackoutPolicyDisableView(_SetEnabledView):
    operations = {"POST": "policies_disable"}
    enabled = False
    message = "Disabled event policies"

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policies_disable",
        summary="Disable multiple blackout policies",
        request=request_body(schemas.IDS),
        responses={200: EnableResultSerializer, **bmc.error_responses()},
        examples=[examples.ENABLE_IDS, examples.DISABLED, examples.EMPTY_IDS, examples.INVALID_ID],
    )
    def post(self, request):
        return super().post(request)


class BlackoutPolicySearchView(PolicyView):
    request_schema = schemas.SEARCH

    def get_required_permissions(self, method):
        return ["blackouts.view_blackoutpolicy"]

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policies_search",
        summary="Search blackout policies (name or description contains searchString)",
        request=request_body(schemas.SEARCH),
        responses={200: SearchResultSerializer, **bmc.error_responses()},
        examples=[examples.SEARCH, examples.SEARCH_RESULT, examples.SEARCH_BAD_TYPE],
    )
    def post(self, request):
        body = self.validated_body()
        page, per_page = body.get("pageIndex", 1), body.get("recordsPerPage", 25)
        sort = body.get("sortCriteria") or {}
        rows, total = selectors.policy_search_page(
            text=body.get("searchString", ""),
            sort=sort.get("attribute", "name"),
            descending=str(sort.get("order", "ASC")).upper() == "DESC",
            page=page,
            per_page=per_page,
        )
        now = timezone.now()
        return Response(
            {
                "responseTimeStamp": now_ms(),
                "statusCode": "200",
                "statusMsg": "OK",
                "totalRecords": total,
                "policies": [policy_representation(p, now) for p in rows],
            }
        )


class EventIngestView(PolicyView):
    request_schema = schemas.EVENTS
    permission_model = Event

    @extend_schema(
        tags=TAG,
        operation_id="events_ingest",
        summary="Send events; those matching an active blackout policy are stored as BLACKOUT",
        request=request_body(schemas.EVENTS),
        responses={200: IngestResultSerializer, **bmc.error_responses()},
        examples=[examples.EVENTS, examples.EVENTS_RESULT],
    )
    def post(self, request):
        events = services.events_ingest(events=self.validated_body())
        ids = [str(e.pk) for e in events]
        policy_ids = {None: None}  # each policy's id written once per request, not once per event it took
        for e in events:
            if e.blackout_policy_id not in policy_ids:
                policy_ids[e.blackout_policy_id] = str(e.blackout_policy_id)
        return Response(
            status_body(
                "200",
                "Events received.",
                resourceId=ids,
                events=[
                    {"id": pk, "status": e.status, "blackoutPolicyId": policy_ids[e.blackout_policy_id]}
                    for pk, e in zip(ids, events, strict=True)
                ],
            )
        )
