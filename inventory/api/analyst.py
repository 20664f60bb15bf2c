"""Analyst API (read-only, filtered, exportable) over services and business interactions."""

from rest_framework import serializers

from core.analyst import AnalystViewSet, analyst_schema

from .. import exports
from ..models import BusinessInteraction, Service


class ServiceListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "category",
            "service_type",
            "state",
            "specification",
            "business_interaction",
            "has_started",
            "is_service_enabled",
            "service_date",
            "start_date",
            "end_date",
        ]


class BusinessInteractionListSerializer(serializers.ModelSerializer):
    class Meta:
        model = BusinessInteraction
        fields = [
            "id",
            "parent",
            "state",
            "description",
            "activation_requested",
            "attempt",
            "failed_state",
            "failure_reason",
            "effective_date",
            "created_at",
            "updated_at",
        ]


@analyst_schema
class ServiceAnalystViewSet(AnalystViewSet):
    queryset = Service.objects.order_by("pk")
    serializer_class = ServiceListSerializer
    export_spec = exports.SERVICES
    ordering_fields = ["id", "name", "state", "service_date"]


@analyst_schema
class BusinessInteractionAnalystViewSet(AnalystViewSet):
    queryset = BusinessInteraction.objects.order_by("-pk")
    serializer_class = BusinessInteractionListSerializer
    export_spec = exports.INTERACTIONS
    ordering_fields = ["id", "state", "created_at", "updated_at"]
