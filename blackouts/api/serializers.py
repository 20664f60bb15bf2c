"""Wire shapes of the BMC blackout-policy API: body -> model fields, policy -> the spec's representation.

Request bodies are declared once, as the JSON schemas of ``schemas.py`` (validated and published); the
serializers below document the response shapes for drf-spectacular.
"""

from datetime import datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import windows
from ..models import BlackoutPolicy
from ..policy_input import TIMEFRAME, as_bool
from .schemas import openapi


def policy_fields(body: dict) -> dict:
    """Model fields from a schema-valid create/update body (``policy_input.clean_policy`` judges them)."""
    definition = body["configurations"]["definition"]
    action = definition.get("processing_action") or {}
    return {
        "name": body["name"],
        "description": body.get("description", ""),
        "execution_order": body["executionOrder"],
        "selector_criteria": body["eventSelectorCriteria"],
        "enabled": as_bool(body.get("enabled", False)),
        "timeframe": definition["timeframeDetails"],
        "blackout_existing_events": as_bool(action.get("blackoutExistingEvents", False)),
        "reset_status_on_blackout_end": as_bool(action.get("resetStatusOnBlackoutEnd", False)),
    }


def policy_representation(policy: BlackoutPolicy, now: datetime) -> dict:
    """The spec's ``blackoutPolicy`` object, plus ``timeframeStatusDetails`` beside ``timeframeStatus``."""
    status = windows.timeframe_status(policy.parsed_timeframe, now, enabled=policy.enabled)
    active = status["activeWindow"]
    return {
        "name": policy.name,
        "description": policy.description,
        "executionOrder": policy.execution_order,
        "selector": str(policy.selector_id),
        "eventSelectorCriteria": policy.selector_criteria,
        "timeframes": [],
        "owner": policy.owner,
        "enabled": policy.enabled,
        "readOnly": policy.read_only,
        "creationTime": windows.epoch_ms(policy.created_at),
        "modificationTime": windows.epoch_ms(policy.modified_at),
        "configurations": {
            "tenantId": policy.tenant_id,
            "policyId": str(policy.pk),
            "id": str(policy.configuration_id),
            "configOrder": policy.config_order,
            "creationTime": 0,
            "modificationTime": 0,
            "definition": {
                "timeframeDetails": policy.timeframe,
                "processing_action": {
                    "resetStatusOnBlackoutEnd": policy.reset_status_on_blackout_end,
                    "blackoutExistingEvents": policy.blackout_existing_events,
                },
            },
            "timeframeStatus": windows.status_string(status),
            "timeframeStatusDetails": {
                "state": status["state"],
                "lastRun": windows.epoch_ms(status["lastRun"]),
                "nextRun": windows.epoch_ms(status["nextRun"]),
                "activeWindowStart": windows.epoch_ms(active.start) if active else None,
                "activeWindowEnd": windows.epoch_ms(active.end) if active else None,
            },
        },
    }


# --- Response shapes -------------------------------------------------------------------------------------------
@extend_schema_field(openapi(TIMEFRAME))
class TimeframeDetailsField(serializers.JSONField):
    """``timeframeDetails`` as stored (what was sent, normalised): documented by the request's own schema."""


class ProcessingActionSerializer(serializers.Serializer):
    blackoutExistingEvents = serializers.BooleanField(required=False)
    resetStatusOnBlackoutEnd = serializers.BooleanField(required=False)


class DefinitionSerializer(serializers.Serializer):
    timeframeDetails = TimeframeDetailsField()
    processing_action = ProcessingActionSerializer(required=False)


class TimeframeStatusDetailsSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["ACTIVE", "INACTIVE", "EXPIRED"])
    lastRun = serializers.IntegerField(allow_null=True)
    nextRun = serializers.IntegerField(allow_null=True)
    activeWindowStart = serializers.IntegerField(allow_null=True)
    activeWindowEnd = serializers.IntegerField(allow_null=True)


class ConfigurationsSerializer(serializers.Serializer):
    tenantId = serializers.CharField()
    policyId = serializers.UUIDField()
    id = serializers.UUIDField()
    configOrder = serializers.IntegerField()
    creationTime = serializers.IntegerField()
    modificationTime = serializers.IntegerField()
    definition = DefinitionSerializer()
    timeframeStatus = serializers.CharField(help_text="<STATE>,LastRun:<epoch ms or empty>,NextRun:<epoch ms or empty>")
    timeframeStatusDetails = TimeframeStatusDetailsSerializer()


class PolicySerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    executionOrder = serializers.IntegerField()
    selector = serializers.UUIDField()
    eventSelectorCriteria = serializers.CharField()
    timeframes = serializers.ListField(child=serializers.JSONField())
    owner = serializers.CharField()
    enabled = serializers.BooleanField()
    readOnly = serializers.BooleanField()
    creationTime = serializers.IntegerField()
    modificationTime = serializers.IntegerField()
    configurations = ConfigurationsSerializer()

    class Meta:
        ref_name = "BlackoutPolicy"


class ResourceIdSerializer(serializers.Serializer):
    resourceId = serializers.ListField(child=serializers.CharField())


class PolicyFoundSerializer(serializers.Serializer):
    responseTimeStamp = serializers.IntegerField()
    statusCode = serializers.CharField()
    statusMsg = serializers.CharField()
    blackoutPolicy = PolicySerializer(allow_null=True)


class BulkDeleteResultSerializer(serializers.Serializer):
    responseTimeStamp = serializers.IntegerField()
    statusCode = serializers.ChoiceField(choices=["OK", "PARTIAL_SUCCESS", "POLICY_NOT_EXIST"])
    statusMsg = serializers.CharField()
    resourceId = serializers.ListField(child=serializers.CharField(), required=False)
    failedResource = serializers.ListField(child=serializers.CharField(), required=False)


class SearchResultSerializer(serializers.Serializer):
    responseTimeStamp = serializers.IntegerField()
    statusCode = serializers.CharField()
    statusMsg = serializers.CharField()
    totalRecords = serializers.IntegerField()
    policies = PolicySerializer(many=True)


class EnableResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    object = serializers.ListField(child=serializers.CharField())


class IngestedEventSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField()
    blackoutPolicyId = serializers.UUIDField(allow_null=True)


class IngestResultSerializer(serializers.Serializer):
    responseTimeStamp = serializers.IntegerField()
    statusCode = serializers.CharField()
    statusMsg = serializers.CharField()
    resourceId = serializers.ListField(child=serializers.CharField())
    events = IngestedEventSerializer(many=True)
