"""The TMF638 hub endpoints (``…/serviceInventoryManagement/{version}/hub``): register, read and delete a
listener; errors in the UIM envelope like every inventory endpoint."""

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core import roles

from ..services import hub
from . import uim
from .views import AUTH, VERSION, InventoryView

_TYPE = "|".join(hub.TMF_TYPES)
# The queries a listener may give, published as the field's pattern (empty: every event type).
QUERY_PATTERN = rf"^\s*(eventType\s*=\s*({_TYPE})(\s*,\s*({_TYPE}))*)?\s*$"


def query_events(query: str) -> list[str]:
    """The hub events a valid query names (``eventType=A,B`` → ``[A, B]``; empty: none named)."""
    _, _, names = query.partition("=")
    return [name.strip() for name in names.split(",") if name.strip()]


class HubInputSerializer(serializers.Serializer):
    callback = serializers.URLField(max_length=2000, help_text="Where the listener receives the events.")
    query = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="eventType=ServiceStateChangeEvent[,...]; empty or absent: every event.",
        validators=[RegexValidator(QUERY_PATTERN, message=f"use eventType=<{_TYPE}>[,...]")],
    )


class HubInputSchema(OpenApiSerializerExtension):
    """Publishes ``query`` as one string with its pattern, which admits the empty query: drf-spectacular would make
    a blank-allowing field with a pattern a ``oneOf`` that the empty string matches twice, which generators refuse."""

    target_class = HubInputSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        query = schema["properties"]["query"]
        schema["properties"]["query"] = {"type": "string", "description": query["description"]} | query["oneOf"][0]
        return schema


class HubSerializer(serializers.Serializer):
    id = serializers.CharField()
    callback = serializers.CharField()
    query = serializers.CharField(allow_blank=True)


def _hub(sub) -> dict:
    return {"id": str(sub.pk), "callback": sub.target_url, "query": sub.query or ""}


class _HubView(InventoryView):
    def get_required_permissions(self, method):
        # Registering, reading and removing listeners: the hub's own permission (core.roles); a listener is read
        # and removed by its owner, or by who holds the permission on every subscription (hub.hub_get).
        return list(roles.needs("use_hub"))


class HubView(_HubView):
    @extend_schema(
        auth=AUTH,
        operation_id="hub_create",
        summary="Register a listener for service events (TMF638 hub)",
        description="Needs `changes.register_hub_listener` (integrations, operators). The listener belongs to the "
        "caller: only its owner, or who holds the permission on every subscription, reads or removes it.",
        parameters=[VERSION],
        request=HubInputSerializer,
        responses={201: HubSerializer, **uim.error_responses(404)},
        examples=[
            OpenApiExample(
                "Listen to state changes",
                value={"callback": "https://listener.example.com/events", "query": "eventType=ServiceStateChangeEvent"},
                request_only=True,
            )
        ],
    )
    def post(self, request, version):
        serializer = HubInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        query = data.get("query", "")
        sub = hub.hub_subscribe(callback=data["callback"], events=query_events(query), query=query, owner=request.user)
        return Response(_hub(sub), status=201)


class HubDetailView(_HubView):
    @extend_schema(
        auth=AUTH,
        operation_id="hub_retrieve",
        summary="Read a listener",
        description="One's own listener (any, with `changes.view_subscription`); another's is the 404 of an unknown "
        "id.",
        parameters=[VERSION],
        responses={200: HubSerializer, **uim.error_responses(404)},
    )
    def get(self, request, version, hub_id):
        return Response(_hub(hub.hub_get(hub_id=hub_id, user=request.user)))

    @extend_schema(
        auth=AUTH,
        operation_id="hub_delete",
        summary="Remove a listener",
        description="One's own listener (any, with `changes.delete_subscription`); another's is the 404 of an "
        "unknown id.",
        parameters=[VERSION],
        responses={204: None, **uim.error_responses(404)},
    )
    def delete(self, request, version, hub_id):
        hub.hub_unsubscribe(hub_id=hub_id, user=request.user)
        return Response(status=204)
