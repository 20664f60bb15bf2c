"""BMC Helix events-service: blackout policies and event ingest. Views validate, call one service, render."""

import uuid

from django.db.models import Count, Window
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from core.wire import bmc
from core.wire.bmc import BMCAPIView, BMCStatusError, bad_request, now_ms, status_body

from .. import selectors, services
from ..models import BlackoutPolicy, Event
from . import examples, schemas
from .serializers import (
    BulkDeleteResultSerializer,
    EnableResultSerializer,
    EventRequestSerializer,
    IdsSerializer,
    IngestResultSerializer,
    PolicyFoundSerializer,
    PolicyRequestSerializer,
    ResourceIdSerializer,
    SearchRequestSerializer,
    SearchResultSerializer,
    policy_fields,
    policy_representation,
)

TAG = ["blackouts"]


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        return None


def _run(call):
    """Translate service outcomes into the wire's answers."""
    try:
        return call()
    except services.PolicyInputError as exc:
        raise bad_request(str(exc)) from None


class PolicyPermissionMixin:
    """Model permissions on BlackoutPolicy (``WirePermission`` maps each method to its action)."""

    permission_model = BlackoutPolicy


class BlackoutPolicyCreateView(PolicyPermissionMixin, BMCAPIView):
    request_schema = schemas.POLICY

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policy_create",
        summary="Create a blackout policy",
        request=PolicyRequestSerializer,
        responses={200: ResourceIdSerializer, **bmc.error_responses(status_body_codes=(409,))},
        examples=[*examples.CREATE_EXAMPLES, examples.RESOURCE_ID],
    )
    def post(self, request):
        fields = policy_fields(self.validated_body())

        def create():
            try:
                return services.policy_create(fields=fields, owner=request.user.get_username())
            except services.PolicyNameConflict:
                raise BMCStatusError(
                    "POLICY_ALREADY_EXIST", "Failed to create policy, a policy with this name exists", http_status=409
                ) from None

        policy = _run(create)
        return Response({"resourceId": [str(policy.pk)]})


class BlackoutPolicyDetailView(PolicyPermissionMixin, BMCAPIView):
    request_schema = schemas.POLICY

    def _policy_id(self, policy_id: str, *, body_shape: dict | None = None) -> uuid.UUID:
        parsed = _uuid(policy_id)
        if parsed is None:
            extra = body_shape or {}
            raise BMCStatusError("400", f"Invalid UUID string: {policy_id[:64]}", http_status=400, **extra)
        return parsed

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policy_get",
        summary="Get policy details",
        responses={
            200: PolicyFoundSerializer,
            400: OpenApiResponse(PolicyFoundSerializer, description="Invalid UUID (blackoutPolicy null)"),
            404: OpenApiResponse(PolicyFoundSerializer, description="No such policy (blackoutPolicy null)"),
            **{k: v for k, v in bmc.error_responses().items() if k != 400},
        },
        examples=[examples.GET_FOUND, examples.GET_NOT_FOUND],
    )
    def get(self, request, policy_id: str):
        pk = self._policy_id(policy_id, body_shape={"blackoutPolicy": None})
        policy = BlackoutPolicy.objects.filter(pk=pk).first()
        if policy is None:
            raise BMCStatusError("404", "No policy found matching input request!", http_status=404, blackoutPolicy=None)
        return Response(
            status_body("200", "Policy found!", blackoutPolicy=policy_representation(policy, timezone.now()))
        )

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policy_update",
        summary="Update an existing policy (the name must not change)",
        request=PolicyRequestSerializer,
        responses={200: ResourceIdSerializer, **bmc.error_responses(status_body_codes=(404, 409), either_codes=(400,))},
        examples=[examples.UPDATE, examples.RESOURCE_ID, examples.POLICY_ACTIVE],
    )
    def put(self, request, policy_id: str):
        pk = self._policy_id(policy_id)
        fields = policy_fields(self.validated_body())
        if not BlackoutPolicy.objects.filter(pk=pk).exists():
            raise BMCStatusError(
                "POLICY_NOT_EXIST", "Failed to update policy, entry doesn't exist in database", http_status=404
            )

        def update():
            try:
                return services.policy_update(policy_id=pk, fields=fields)
            except services.PolicyActive:
                raise BMCStatusError(
                    "BLACKOUT_POLICY_ACTIVE", "Failed to update, policy is in active state", http_status=409
                ) from None
            except BlackoutPolicy.DoesNotExist:
                raise BMCStatusError(
                    "POLICY_NOT_EXIST", "Failed to update policy, entry doesn't exist in database", http_status=404
                ) from None

        policy = _run(update)
        return Response({"resourceId": [str(policy.pk)]})

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policy_delete",
        summary="Delete a blackout policy",
        responses={200: ResourceIdSerializer, **bmc.error_responses(status_body_codes=(404,), either_codes=(400,))},
        examples=[examples.DELETE_ONE_OK, examples.POLICY_NOT_EXIST],
    )
    def delete(self, request, policy_id: str):
        pk = self._policy_id(policy_id)
        deleted, _ = services.policies_delete(ids=[pk])
        if not deleted:
            raise BMCStatusError(
                "POLICY_NOT_EXIST", "Failed to delete policy, entry doesn't exist in database", http_status=404
            )
        return Response({"resourceId": [str(pk)]})


def _ids_or_400(body: dict) -> list[uuid.UUID]:
    ids = body.get("ids")
    if not ids:
        raise bad_request("Property is null or empty : resources")
    return ids


class BlackoutPolicyBulkDeleteView(PolicyPermissionMixin, BMCAPIView):
    request_schema = schemas.IDS

    def get_required_permissions(self, method):
        return ["blackouts.delete_blackoutpolicy"]

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policies_delete",
        summary="Delete blackout policies",
        request=IdsSerializer,
        responses={
            200: BulkDeleteResultSerializer,
            404: OpenApiResponse(BulkDeleteResultSerializer, description="POLICY_NOT_EXIST: none of them exists"),
            **bmc.error_responses(),
        },
        examples=[examples.IDS, examples.BULK_OK, examples.BULK_PARTIAL, examples.BULK_NONE],
    )
    def post(self, request):
        raw = _ids_or_400(self.validated_body())
        parsed = [(item, _uuid(item)) for item in raw]
        deleted, _ = services.policies_delete(ids=[pk for _, pk in parsed if pk is not None])
        done = {str(pk) for pk in deleted}
        ok = [item for item, pk in parsed if pk is not None and str(pk) in done]
        failed = [item for item, pk in parsed if pk is None or str(pk) not in done]
        if not ok:
            raise BMCStatusError(
                "POLICY_NOT_EXIST", "Failed to delete policy, entry doesn't exist in database", http_status=404
            )
        if failed:
            return Response(status_body("PARTIAL_SUCCESS", "Deleted policies.", resourceId=ok, failedResource=failed))
        return Response(status_body("OK", "Deleted policies.", resourceId=ok))


class _SetEnabledView(PolicyPermissionMixin, BMCAPIView):
    request_schema = schemas.IDS
    enabled = True
    message = ""

    def post(self, request):
        raw = _ids_or_400(self.validated_body())
        ids = []
        for item in raw:
            pk = _uuid(item)
            if pk is None:
                raise bad_request(f"Invalid resource id specified: {item}")
            ids.append(pk)
        known = {str(pk) for pk in BlackoutPolicy.objects.filter(pk__in=ids).values_list("pk", flat=True)}
        for item, pk in zip(raw, ids, strict=True):
            if str(pk) not in known:
                raise bad_request(f"Invalid resource id specified: {item}")
        services.policies_set_enabled(ids=ids, enabled=self.enabled)
        return Response({"message": self.message, "object": [str(pk) for pk in dict.fromkeys(ids)]})


class BlackoutPolicyEnableView(_SetEnabledView):
    enabled = True
    message = "Enabled event policies"

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policies_enable",
        summary="Enable multiple blackout policies",
        request=IdsSerializer,
        responses={200: EnableResultSerializer, **bmc.error_responses()},
        examples=[examples.ENABLE_IDS, examples.ENABLED, examples.EMPTY_IDS, examples.INVALID_ID],
    )
    def post(self, request):
        return super().post(request)


class BlackoutPolicyDisableView(_SetEnabledView):
    enabled = False
    message = "Disabled event policies"

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policies_disable",
        summary="Disable multiple blackout policies",
        request=IdsSerializer,
        responses={200: EnableResultSerializer, **bmc.error_responses()},
        examples=[examples.ENABLE_IDS, examples.DISABLED, examples.EMPTY_IDS, examples.INVALID_ID],
    )
    def post(self, request):
        return super().post(request)


class BlackoutPolicySearchView(PolicyPermissionMixin, BMCAPIView):
    request_schema = schemas.SEARCH

    def get_required_permissions(self, method):
        return ["blackouts.view_blackoutpolicy"]

    @extend_schema(
        tags=TAG,
        operation_id="blackout_policies_search",
        summary="Search blackout policies (name or description contains searchString)",
        request=SearchRequestSerializer,
        responses={200: SearchResultSerializer, **bmc.error_responses()},
        examples=[examples.SEARCH, examples.SEARCH_RESULT, examples.SEARCH_BAD_TYPE],
    )
    def post(self, request):
        body = self.validated_body()
        page, per_page = body.get("pageIndex", 1), body.get("recordsPerPage", 25)
        sort = body.get("sortCriteria") or {}
        queryset = selectors.policy_search(
            text=body.get("searchString", ""),
            sort=sort.get("attribute", "name"),
            descending=str(sort.get("order", "ASC")).upper() == "DESC",
        )
        # One scan for the page and the total (COUNT(*) OVER ()); a page past the end asks for the count.
        rows = list(queryset.annotate(total_records=Window(Count("pk")))[(page - 1) * per_page : page * per_page])
        total = rows[0].total_records if rows else queryset.count()
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


class EventIngestView(PolicyPermissionMixin, BMCAPIView):
    request_schema = schemas.EVENTS
    permission_model = Event

    @extend_schema(
        tags=TAG,
        operation_id="events_ingest",
        summary="Send events; those matching an active blackout policy are stored as BLACKOUT",
        request=EventRequestSerializer(many=True),
        responses={200: IngestResultSerializer, **bmc.error_responses()},
        examples=[examples.EVENTS, examples.EVENTS_RESULT],
    )
    def post(self, request):
        events = services.events_ingest(events=self.validated_body())
        return Response(
            status_body(
                "200",
                "Events received.",
                resourceId=[str(e.pk) for e in events],
                events=[
                    {
                        "id": str(e.pk),
                        "status": e.status,
                        "blackoutPolicyId": str(e.blackout_policy_id) if e.blackout_policy_id else None,
                    }
                    for e in events
                ],
            )
        )
