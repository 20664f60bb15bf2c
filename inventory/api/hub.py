"""The TMF638 hub endpoints (``…/serviceInventoryManagement/{version}/hub``): register, read and delete a
listener; errors in the UIM envelope like every inventory endpoint."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core import roles
from core.wire.links import public_base_url

from ..services import hub
from . import uim
from .views import AUTH, VERSION, InventoryView

_TYPE = "(" + "|".join(hub.TMF_TYPES) + ")"
_OP = r"\s*(\.(eq|ne|gt|gte|lt|lte))?\s*(!=|>=|<=|=|>|<)\s*"
_CONDITION = (
    rf"\s*(eventType(\.(eq|ne))?\s*!?=\s*{_TYPE}(\s*,\s*{_TYPE})*"
    rf"|(eventId|eventTime|event\.service(\.[A-Za-z_@$][\w@$-]*)+){_OP}[^&;,]+(,[^&;,]+)*)\s*"
)
# The queries a listener may give, published as the field's pattern (the server's parser, ``core.criteria.tmf``,
# decides; percent-encoded forms are taken too): TMF630 conditions on the events' fields joined by & (and) and ;
# (or), event types among the hub's; empty: every event.
QUERY_PATTERN = rf"^\s*\??({_CONDITION}([&;]{_CONDITION})*)?\s*$"
SIGNING_HELP = (
    "Standard Webhooks signing secret, whsec_ and the base64 of a 24 to 64 byte key; left out: one is generated. "
    "The answer to the registration shows the secret in effect, once; every event to the listener is signed with "
    "it (webhook-id, webhook-timestamp, webhook-signature)."
)


class HubInputSerializer(serializers.Serializer):
    callback = serializers.URLField(max_length=2000, help_text="Where the listener receives the events.")
    query = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="A TMF630 filter on the events' fields: eventType=ServiceStateChangeEvent&event.service.state="
        "active, eventType=ServiceCreateEvent,ServiceDeleteEvent; empty or absent: every event.",
    )
    secret = serializers.CharField(
        max_length=200, required=False, allow_blank=True, write_only=True, help_text=SIGNING_HELP
    )


class HubInputSchema(OpenApiSerializerExtension):
    """Publishes ``query`` as one string with the pattern of the queries the server takes (the empty one too)."""

    target_class = HubInputSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["properties"]["query"]["pattern"] = QUERY_PATTERN
        return schema


class HubSerializer(serializers.Serializer):
    id = serializers.CharField()
    callback = serializers.CharField()
    query = serializers.CharField(allow_blank=True)


class HubCreatedSerializer(HubSerializer):
    secret = serializers.CharField(help_text="The signing secret in effect (given or generated): shown here only.")


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
        responses={201: HubCreatedSerializer, **uim.error_responses(404)},
        examples=[
            OpenApiExample(
                "Listen to services becoming active",
                value={
                    "callback": "https://listener.example.com/events",
                    "query": "eventType=ServiceStateChangeEvent&event.service.state=active",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request, version):
        serializer = HubInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sub = hub.hub_subscribe(
            callback=data["callback"],
            query=data.get("query", ""),
            secret=data.get("secret", ""),
            base_url=public_base_url(request),
            api_version=version,
            owner=request.user,
        )
        return Response(_hub(sub) | {"secret": sub.secret}, status=201)


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
