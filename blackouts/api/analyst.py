"""Analyst API (read-only, filtered, exportable) over blackout policies and events: see core/analyst.py."""

from rest_framework import serializers

from core.analyst import AnalystViewSet, analyst_schema

from .. import exports
from ..models import BlackoutPolicy, Event


class BlackoutPolicyListSerializer(serializers.ModelSerializer):
    class Meta:
        model = BlackoutPolicy
        fields = [
            "id",
            "name",
            "description",
            "enabled",
            "execution_order",
            "selector_criteria",
            "owner",
            "window_start",
            "window_end",
            "blackout_existing_events",
            "reset_status_on_blackout_end",
            "timeframe",
            "created_at",
            "modified_at",
        ]


class EventListSerializer(serializers.ModelSerializer):
    blackout_policy_name = serializers.CharField(source="blackout_policy.name", default=None, read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "identifier",
            "event_class",
            "severity",
            "status",
            "previous_status",
            "msg",
            "source_hostname",
            "source_identifier",
            "repeat_count",
            "slots",
            "blackout_policy",
            "blackout_policy_name",
            "blacked_out_at",
            "received_at",
        ]


@analyst_schema
class BlackoutPolicyAnalystViewSet(AnalystViewSet):
    queryset = BlackoutPolicy.objects.order_by("execution_order", "name")
    serializer_class = BlackoutPolicyListSerializer
    export_spec = exports.POLICIES
    ordering_fields = ["name", "execution_order", "created_at", "modified_at", "window_start"]


@analyst_schema
class EventAnalystViewSet(AnalystViewSet):
    queryset = Event.objects.select_related("blackout_policy").order_by("-received_at", "id")
    serializer_class = EventListSerializer
    export_spec = exports.EVENTS
    ordering_fields = ["received_at", "severity", "status", "blacked_out_at"]
