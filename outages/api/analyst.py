"""Analyst API (read-only, filtered, exportable) over outage events, customers and the message log."""

from rest_framework import serializers

from core.analyst import AnalystViewSet, analyst_schema

from .. import exports
from ..models import OutageCustomer, OutageEvent, OutageMessage


class OutageEventListSerializer(serializers.ModelSerializer):
    external_system = serializers.CharField(source="external_system.name", read_only=True)

    class Meta:
        model = OutageEvent
        fields = [
            "id",
            "external_system",
            "external_outage_id",
            "outage_type",
            "state",
            "message_reference",
            "impacted_customers",
            "customer_count",
            "start_date_time",
            "estimated_restoration_time",
            "completion_date_time",
            "discarded",
            "created_at",
            "updated_at",
        ]


class OutageCustomerListSerializer(serializers.ModelSerializer):
    external_outage_id = serializers.CharField(source="event.external_outage_id", read_only=True)
    state = serializers.CharField(source="event.state", read_only=True)

    class Meta:
        model = OutageCustomer
        fields = ["id", "event", "external_outage_id", "state", "account_id", "sp_id"]


class OutageMessageListSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutageMessage
        fields = [
            "id",
            "received_at",
            "request_id",
            "index",
            "external_system_name",
            "external_outage_id",
            "message_reference",
            "event",
            "outcome",
            "reason",
            "received_by",
            "content_type",
            "payload",
        ]


@analyst_schema
class OutageEventAnalystViewSet(AnalystViewSet):
    queryset = OutageEvent.objects.select_related("external_system").order_by("-start_date_time", "pk")
    serializer_class = OutageEventListSerializer
    export_spec = exports.EVENTS
    ordering_fields = ["start_date_time", "estimated_restoration_time", "impacted_customers", "updated_at"]


@analyst_schema
class OutageCustomerAnalystViewSet(AnalystViewSet):
    queryset = OutageCustomer.objects.select_related("event").order_by("pk")
    serializer_class = OutageCustomerListSerializer
    export_spec = exports.CUSTOMERS
    ordering_fields = ["id", "account_id", "sp_id"]


@analyst_schema
class OutageMessageAnalystViewSet(AnalystViewSet):
    queryset = OutageMessage.objects.order_by("-received_at", "pk")
    serializer_class = OutageMessageListSerializer
    export_spec = exports.MESSAGES
    ordering_fields = ["received_at", "outcome"]
