"""Wire shapes of the BMC blackout-policy API: body -> model fields, policy -> the spec's representation.

The request bodies are validated by JSON schema (``schemas.py``); the serializers below document the shapes
for drf-spectacular and render responses.
"""

from datetime import datetime

from rest_framework import serializers

from .. import windows
from ..models import BlackoutPolicy


def as_bool(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _normalise_timeframe(details: dict) -> dict:
    out = dict(details)
    ends_on = dict(out.get("endsOn") or {})
    if "never" in ends_on:
        ends_on["never"] = as_bool(ends_on["never"])
        if not ends_on["never"]:
            ends_on.pop("never")
    if "occurrences" in ends_on and str(ends_on["occurrences"]).strip().isdigit():
        ends_on["occurrences"] = int(ends_on["occurrences"])
    out["endsOn"] = ends_on
    pattern = dict(out.get("recurrencePattern") or {})
    pattern.setdefault("details", {})
    out["recurrencePattern"] = pattern
    return out


def policy_fields(body: dict) -> dict:
    """Model fields from a schema-valid create/update body."""
    definition = body["configurations"]["definition"]
    action = definition.get("processing_action") or {}
    return {
        "name": body["name"],
        "description": body.get("description", ""),
        "execution_order": body["executionOrder"],
        "selector_criteria": body["eventSelectorCriteria"],
        "enabled": as_bool(body.get("enabled", False)),
        "timeframe": _normalise_timeframe(definition["timeframeDetails"]),
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


# --- Documentation shapes ----------------------------------------------------------------------------------------
class EndsOnSerializer(serializers.Serializer):
    endDate = serializers.CharField(required=False, help_text="ddmmyyyy, inclusive")
    occurrences = serializers.IntegerField(required=False, min_value=1, max_value=10000)
    never = serializers.BooleanField(required=False)


class RecurrenceDetailsSerializer(serializers.Serializer):
    days = serializers.ChoiceField(choices=["all", "excludeWeekends"], required=False)
    daysOfWeek = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=7), required=False)
    dates = serializers.CharField(required=False, help_text='e.g. "1-15" or "1-3,15"')


class RecurrencePatternSerializer(serializers.Serializer):
    recurrence = serializers.ChoiceField(choices=["oneTime", "daily", "weekly", "monthly"])
    details = RecurrenceDetailsSerializer(required=False)


class TimeZoneSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="IANA zone; windows are computed in it")
    offset = serializers.CharField(required=False, help_text="informational only")


class TimeframeDetailsSerializer(serializers.Serializer):
    startDate = serializers.RegexField(r"^[0-9]{8}$", help_text="ddmmyyyy")
    startTime = serializers.RegexField(r"^[0-9]{1,2}:[0-9]{2}$", help_text="HH:MM, 24-hour")
    endTime = serializers.RegexField(r"^[0-9]{1,2}:[0-9]{2}$", help_text="HH:MM, 24-hour")
    endsOn = EndsOnSerializer()
    recurrencePattern = RecurrencePatternSerializer()
    timeZone = TimeZoneSerializer(required=False)


class ProcessingActionSerializer(serializers.Serializer):
    blackoutExistingEvents = serializers.BooleanField(required=False)
    resetStatusOnBlackoutEnd = serializers.BooleanField(required=False)


class DefinitionSerializer(serializers.Serializer):
    timeframeDetails = TimeframeDetailsSerializer()
    processing_action = ProcessingActionSerializer(required=False)


class ConfigurationsRequestSerializer(serializers.Serializer):
    definition = DefinitionSerializer()


class PolicyRequestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, max_length=2000)
    executionOrder = serializers.IntegerField(min_value=0, max_value=9999)
    eventSelectorCriteria = serializers.CharField(max_length=4000)
    enabled = serializers.BooleanField(required=False)
    configurations = ConfigurationsRequestSerializer()


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


class IdsSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.CharField(max_length=64), max_length=1000)


class BulkDeleteResultSerializer(serializers.Serializer):
    responseTimeStamp = serializers.IntegerField()
    statusCode = serializers.ChoiceField(choices=["OK", "PARTIAL_SUCCESS", "POLICY_NOT_EXIST"])
    statusMsg = serializers.CharField()
    resourceId = serializers.ListField(child=serializers.CharField(), required=False)
    failedResource = serializers.ListField(child=serializers.CharField(), required=False)


class SortCriteriaSerializer(serializers.Serializer):
    attribute = serializers.ChoiceField(
        choices=["name", "description", "executionOrder", "enabled", "creationTime", "modificationTime"],
        required=False,
    )
    order = serializers.ChoiceField(choices=["ASC", "DESC"], required=False)


class SearchRequestSerializer(serializers.Serializer):
    searchString = serializers.CharField(required=False, max_length=255, allow_blank=True)
    pageIndex = serializers.IntegerField(required=False, min_value=1, max_value=1000000)
    recordsPerPage = serializers.IntegerField(required=False, min_value=1, max_value=1000)
    sortCriteria = SortCriteriaSerializer(required=False)


class SearchResultSerializer(serializers.Serializer):
    responseTimeStamp = serializers.IntegerField()
    statusCode = serializers.CharField()
    statusMsg = serializers.CharField()
    totalRecords = serializers.IntegerField()
    policies = PolicySerializer(many=True)


class EnableResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    object = serializers.ListField(child=serializers.CharField())


class EventRequestSerializer(serializers.Serializer):
    _identifier = serializers.CharField(required=False, max_length=255)
    msg = serializers.CharField(required=False, max_length=4000, allow_blank=True)
    severity = serializers.ChoiceField(
        choices=["CRITICAL", "MAJOR", "MINOR", "WARNING", "INFO", "OK", "UNKNOWN"], required=False
    )
    status = serializers.ChoiceField(choices=["OPEN", "ACK", "ASSIGNED", "CLOSED"], required=False)
    source_hostname = serializers.CharField(required=False, max_length=255, allow_blank=True)
    source_identifier = serializers.CharField(required=False, max_length=255, allow_blank=True)
    repeat_count = serializers.IntegerField(required=False, min_value=0)
    slots = serializers.DictField(child=serializers.CharField(max_length=4000), required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = serializers.CharField(required=False, max_length=128)
        return fields


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
