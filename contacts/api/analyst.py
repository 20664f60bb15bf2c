"""Analyst API (read-only, filtered, exportable) over customer contacts and their status history."""

from rest_framework import serializers

from core.analyst import AnalystViewSet, analyst_schema

from .. import exports
from ..models import ContactStatusEvent, CustomerContact


class CustomerContactListSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerContact
        fields = [
            "id",
            "external_cc_id",
            "cc_id",
            "account_id",
            "person_id",
            "contact_id",
            "delivery_channel",
            "delivery_value",
            "notification_type",
            "origin",
            "status",
            "reason",
            "event_captured_at",
            "created_at",
            "updated_at",
        ]


class ContactStatusEventListSerializer(serializers.ModelSerializer):
    external_cc_id = serializers.CharField(source="contact.external_cc_id", read_only=True)
    account_id = serializers.CharField(source="contact.account_id", read_only=True)

    class Meta:
        model = ContactStatusEvent
        fields = [
            "id",
            "contact",
            "external_cc_id",
            "account_id",
            "status",
            "reason",
            "event_captured_at",
            "received_at",
            "applied",
        ]


@analyst_schema
class CustomerContactAnalystViewSet(AnalystViewSet):
    queryset = CustomerContact.objects.order_by("-pk")
    serializer_class = CustomerContactListSerializer
    export_spec = exports.CONTACTS
    ordering_fields = ["id", "event_captured_at", "updated_at", "status"]


@analyst_schema
class ContactStatusEventAnalystViewSet(AnalystViewSet):
    queryset = ContactStatusEvent.objects.select_related("contact").order_by("-pk")
    serializer_class = ContactStatusEventListSerializer
    export_spec = exports.HISTORY
    ordering_fields = ["id", "received_at", "event_captured_at"]
