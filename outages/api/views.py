"""Oracle Utilities outage endpoints: the notification upsert and its two sibling reads."""

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from core.wire.common import describe
from core.wire.oracle import OracleAPIView, error_responses
from core.wire.parsers import RequestTooLarge, check_declared_length
from core.wire.xml import OracleXMLParser, OracleXMLRenderer
from outages import selectors
from outages.services import outage_messages_log_refused, outage_notifications_apply

from .errors import DOMAIN_ERROR_CODES
from .serializers import (
    EXAMPLES,
    MAX_MESSAGES,
    OutageEventDetailOutSerializer,
    OutageEventKeySerializer,
    OutageEventNotificationsSerializer,
    OutageEventSearchResultSerializer,
    OutageEventSearchSerializer,
    logged_messages,
)
from .storm import NotificationsJSONParser, NotificationsJSONRenderer, materialized


class OutagesAPIView(OracleAPIView):
    """Base view of the outages endpoints: the Oracle family with this app's table of message numbers."""

    domain_error_codes = DOMAIN_ERROR_CODES


class OutageEventNotificationsView(OutagesAPIView):
    """Add or update outage events: one upsert per message, all or nothing, stale references refused."""

    xml_root_name = "C1OutEvtsUpd"
    request_serializer_class = OutageEventNotificationsSerializer
    # Storm-scale customer lists are kept as spans of the body, never as a dict per customer (outages/api/storm.py).
    parser_classes = [NotificationsJSONParser, OracleXMLParser]
    renderer_classes = [NotificationsJSONRenderer, OracleXMLRenderer]

    def get_required_permissions(self, method):
        # Wire writes are upserts. Other methods need nothing here: the dispatcher answers them 405
        # (WirePermission's own table has no entry for e.g. TRACE).
        return ["outages.add_outageevent", "outages.change_outageevent"] if method == "POST" else []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Read the body before parsing so the message log can keep what did not parse (within the one body
        # limit of every family: a larger body is a 413 before it is read).
        check_declared_length(request)
        try:
            self.raw_body = request.body
        except RequestDataTooBig:
            raise RequestTooLarge() from None

    def _log_refused(self, request, reason: str, data=None) -> None:
        sent = data.get("outageMessages") if isinstance(data, dict) else None
        # Over its bound, the raw body is kept once (bounded), not an entry per message.
        messages = [] if isinstance(sent, list) and len(sent) > MAX_MESSAGES else logged_messages(data)
        system = data.get("externalSystem") if isinstance(data, dict) else ""
        outage_messages_log_refused(
            external_system=str(system or ""),
            messages=messages,
            reason=reason,
            received_by=request.user.get_username(),
            content_type=request.content_type or "",
            raw_body=getattr(self, "raw_body", b""),
        )

    @extend_schema(
        operation_id="outageEventNotifications_create",
        summary="Add or update outage events",
        tags=["outages"],
        request=OutageEventNotificationsSerializer,
        responses={
            200: OpenApiResponse(OutageEventNotificationsSerializer, description="The document as applied."),
            **error_responses(404),
        },
        examples=EXAMPLES["notifications"],
    )
    def post(self, request):
        try:
            data = request.data
        except (exceptions.ParseError, exceptions.ValidationError) as exc:  # the parser refuses NUL, depth...
            self._log_refused(request, describe(exc, request).message)
            raise
        serializer = self.get_request_serializer(data=data)
        if not serializer.is_valid():
            error = exceptions.ValidationError(serializer.errors)
            self._log_refused(request, describe(error, request).message, data)
            raise error
        outage_notifications_apply(  # a refusal is a domain error, answered through DOMAIN_ERROR_CODES
            **serializer.service_arguments(),
            received_by=request.user.get_username(),
            content_type=request.content_type or "",
        )
        data = serializer.data
        if not isinstance(getattr(request, "accepted_renderer", None), NotificationsJSONRenderer):
            data = materialized(data)  # the XML answer lists its customers as elements
        return Response(data)


class OutageEventSearchView(OutagesAPIView):
    """The outages affecting an account or a service point (customer care's question)."""

    xml_root_name = "C1OutEvtSearch"
    request_serializer_class = OutageEventSearchSerializer

    def get_required_permissions(self, method):
        return ["outages.view_outageevent"]

    @extend_schema(
        operation_id="outageEvent_search",
        summary="Search outage events by account or service point",
        tags=["outages"],
        request=OutageEventSearchSerializer,
        responses={200: OutageEventSearchResultSerializer, **error_responses(404)},
        examples=[
            *EXAMPLES["search"],
            OpenApiExample(
                "Result",
                response_only=True,
                value={
                    "outageEvents": [
                        {
                            "externalSystem": "CCB-NMS integration",
                            "externalOutageId": "200234",
                            "outageType": "C1PL",
                            "state": "active",
                            "messageReference": "12",
                            "startDateTime": "2025-02-06T10:00:00Z",
                            "estimatedRestorationTime": "2025-02-07T20:00:00Z",
                            "completionDateTime": None,
                            "discarded": False,
                            "impactedCustomers": 259,
                            "customersCount": 1,
                        }
                    ]
                },
            ),
        ],
    )
    def post(self, request):
        serializer = self.get_request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        query = serializer.validated_data
        events = selectors.outage_events_for_customer(
            account_id=query.get("accountId", ""),
            sp_id=query.get("spId", ""),
            include_recently_restored=query["includeRecentlyRestored"],
        )
        return Response(OutageEventSearchResultSerializer({"outageEvents": events}).data)


class OutageEventDetailView(OutagesAPIView):
    """One outage event with its customers count, characteristics, details and message history."""

    xml_root_name = "C1OutEvt"

    def get_required_permissions(self, method):
        return ["outages.view_outageevent"]

    @extend_schema(
        operation_id="outageEventNotifications_retrieve",
        summary="Read one outage event",
        tags=["outages"],
        responses={200: OutageEventDetailOutSerializer, **error_responses(404)},
    )
    def get(self, request, external_system: str, external_outage_id: str):
        key = OutageEventKeySerializer(data={"externalSystem": external_system, "externalOutageId": external_outage_id})
        key.is_valid(raise_exception=True)  # NUL refused (400), as in every body
        event = selectors.outage_event_get(external_system=external_system, external_outage_id=external_outage_id)
        return Response(OutageEventDetailOutSerializer(event).data)
