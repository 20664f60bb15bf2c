"""Wire shapes of the outage-event notification API, field for field as the spec (names, lengths, ranges, enums)."""

import json

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from core.wire.bounds import LengthsFirstMixin
from core.wire.fields import (
    CodeField,
    StrictBooleanField,
    StrictCharField,
    WholeNumberField,
    WholeNumberOutField,
    WireDateTimeField,
    text_problem,
)
from outages.domain import (
    CHARACTERISTIC_VALUES,
    Characteristic,
    Customer,
    CustomerList,
    Detail,
    LoggedMessage,
    OutageNotification,
)
from outages.models import CharacteristicValueType, OutageState, OutageType

from . import storm
from .storm import CompactCustomers, dumps_message

SPEC_EXAMPLE = {
    "externalSystem": "CCB-NMS integration",
    "outageMessages": [
        {
            "eventDetails": {
                "externalOutageId": "200234",
                "messageReference": "12",
                "outageType": "C1PL",
                "startDateTime": "2025-02-06T02:00:00-08:00",
                "estimatedRestorationTime": "2025-02-07T12:00:00-08:00",
                "completionDateTime": "2025-02-07T12:00:00-08:00",
                "discarded": False,
                "impactedCustomers": 259,
                "additionalDetails": [{"name": "power outage", "value": "feeder 12 tripped"}],
            },
            "customerInformation": {
                "incrementalUpdate": True,
                "customers": [{"accountId": "1589809032", "spId": "2486945183"}],
            },
            "characteristics": [
                {
                    "characteristicType": "CM-CAUSE",
                    "typeOfCharacteristicValue": "ADV ",
                    "sequence": 10,
                    "characteristicValue": {"value": "storm"},
                }
            ],
        }
    ],
}


# The bounds of a notification's lists (docs/outages.md, "Bounds"), checked before any element is validated. A
# message is one upsert (about 7 ms on PostgreSQL): 500 of them take about 3.5 s. Customer lists are written
# set-based (100,000 in about a second); their bound is the storm's order of magnitude, under the body limit.
MAX_MESSAGES = 500
MAX_DETAILS = 100  # additionalDetails of a message
MAX_CHARACTERISTICS = 100  # characteristics of a message
MAX_CUSTOMERS = storm.MAX_CUSTOMERS  # customers of a message (the storm path reads lists up to it)


class OutageCustomerSerializer(serializers.Serializer):
    accountId = StrictCharField(max_length=10, required=False, allow_blank=True)
    spId = StrictCharField(max_length=10, required=False, allow_blank=True)


class OutageCustomerListField(serializers.ListField):
    """``customers[]`` validated in one pass (storm scale: 100,000 items), same rules and error paths as the
    per-item serializer: strings of at most 10 characters, trimmed, at least one of the two."""

    MAX_REPORTED_ERRORS = 10

    def __init__(self, **kwargs):
        kwargs.setdefault("child", OutageCustomerSerializer())
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_CUSTOMERS)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, CompactCustomers):  # read from the body already valid (at most MAX_CUSTOMERS)
            return data
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        out = []
        errors: dict[int, dict] = {}
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                errors[index] = {"non_field_errors": ["Invalid data. Expected a dictionary."]}
            else:
                row, problems = {}, {}
                for name in ("accountId", "spId"):
                    value = item.get(name)
                    if value is None:
                        continue
                    if not isinstance(value, str):
                        problems[name] = ["Not a valid string."]
                        continue
                    if len(value) > 10:  # as sent, before trimming
                        problems[name] = ["Ensure this field has no more than 10 characters."]
                        continue
                    if problem := text_problem(value):
                        problems[name] = [problem]
                        continue
                    value = value.strip()
                    if len(value) > 10:
                        problems[name] = ["Ensure this field has no more than 10 characters."]
                        continue
                    row[name] = value
                if not problems and not (row.get("accountId") or row.get("spId")):
                    problems["non_field_errors"] = ["A customer needs an accountId or an spId."]
                if problems:
                    errors[index] = problems
                else:
                    out.append(row)
            if len(errors) >= self.MAX_REPORTED_ERRORS:
                break
        if errors:
            raise serializers.ValidationError(errors)
        return out

    def to_representation(self, data):
        return data if isinstance(data, CompactCustomers) else list(data)  # the JSON renderer writes a compact one


class OutageCustomerInformationSerializer(serializers.Serializer):
    customers = OutageCustomerListField()
    incrementalUpdate = StrictBooleanField(
        required=False, allow_null=True, help_text="true adds to the stored list; false or absent replaces it."
    )


class OutageAdditionalDetailSerializer(serializers.Serializer):
    name = StrictCharField(max_length=254, required=False, allow_blank=True)
    value = StrictCharField(max_length=100, required=False, allow_blank=True)


class OutageEventDetailsSerializer(serializers.Serializer):
    externalOutageId = StrictCharField(max_length=254)
    messageReference = StrictCharField(max_length=254, required=False, allow_blank=True, allow_null=True)
    outageType = CodeField(choices=OutageType.choices, required=False, allow_null=True)
    startDateTime = WireDateTimeField(required=False, allow_null=True)
    estimatedRestorationTime = WireDateTimeField(required=False, allow_null=True)
    completionDateTime = WireDateTimeField(required=False, allow_null=True)
    discarded = StrictBooleanField(required=False, allow_null=True)
    impactedCustomers = WholeNumberField(min_value=0, max_value=999999999, required=False, allow_null=True)
    additionalDetails = OutageAdditionalDetailSerializer(many=True, required=False, max_length=MAX_DETAILS)


class OutageCharacteristicValueSerializer(serializers.Serializer):
    value = StrictCharField(max_length=254, required=False, allow_blank=True, trim_whitespace=False)
    value2 = StrictCharField(max_length=50, required=False, allow_blank=True, trim_whitespace=False)
    value3 = StrictCharField(max_length=50, required=False, allow_blank=True, trim_whitespace=False)
    value4 = StrictCharField(max_length=50, required=False, allow_blank=True, trim_whitespace=False)
    value5 = StrictCharField(max_length=50, required=False, allow_blank=True, trim_whitespace=False)


class OutageCharacteristicSerializer(serializers.Serializer):
    characteristicType = StrictCharField(max_length=8, required=False, allow_blank=True, trim_whitespace=False)
    characteristicValue = OutageCharacteristicValueSerializer(required=False)
    sequence = WholeNumberField(min_value=-999, max_value=999, required=False, allow_null=True)
    typeOfCharacteristicValue = CodeField(choices=CharacteristicValueType.choices, required=False)


class OutageMessageSerializer(serializers.Serializer):
    eventDetails = OutageEventDetailsSerializer()
    customerInformation = OutageCustomerInformationSerializer(required=False)
    characteristics = OutageCharacteristicSerializer(many=True, required=False, max_length=MAX_CHARACTERISTICS)


class OutageEventNotificationsSerializer(LengthsFirstMixin, serializers.Serializer):
    """The request and, as applied, the 200 response (``C1OutEvtsUpd``). Every list's length is checked before
    any element is validated."""

    externalSystem = StrictCharField(max_length=30)
    outageMessages = OutageMessageSerializer(many=True, allow_empty=False, max_length=MAX_MESSAGES)

    def service_arguments(self) -> dict:
        """The validated document as ``outage_notifications_apply`` keyword arguments."""
        data = self.validated_data
        return {
            "external_system": data["externalSystem"],
            "notifications": [outage_notification(message) for message in data["outageMessages"]],
        }


# eventDetails keys copied to the event when present in a message (absent keys leave the stored value).
EVENT_FIELDS = {
    "outageType": "outage_type",
    "startDateTime": "start_date_time",
    "estimatedRestorationTime": "estimated_restoration_time",
    "completionDateTime": "completion_date_time",
    "impactedCustomers": "impacted_customers",
}


def outage_notification(message: dict) -> OutageNotification:
    """One validated ``outageMessages[]`` item in the domain's words; its text (for the log) as JSON."""
    details = message["eventDetails"]
    fields = {attr: details[name] for name, attr in EVENT_FIELDS.items() if name in details}
    if "outage_type" in fields and fields["outage_type"] is None:
        fields["outage_type"] = ""  # null: no type
    if details.get("discarded") is not None:  # null: left as stored
        fields["discarded"] = details["discarded"]
    info = message.get("customerInformation")
    return OutageNotification(
        outage_id=details["externalOutageId"],
        message_reference=details.get("messageReference") or "",
        fields=fields,
        details=None
        if "additionalDetails" not in details
        else [Detail(name=d.get("name") or "", value=d.get("value") or "") for d in details["additionalDetails"] or []],
        characteristics=None
        if "characteristics" not in message
        else [_characteristic(item) for item in message["characteristics"] or []],
        customers=None
        if info is None
        else CustomerList(customers=_customers(info), incremental=bool(info.get("incrementalUpdate"))),
        payload=dumps_message(message, _dumps),
    )


def _dumps(value) -> str:
    return json.dumps(value, default=str)


def _customers(info: dict):
    customers = info.get("customers") or []
    if isinstance(customers, CompactCustomers):
        return customers  # iterated by the service, never held as a list
    return [Customer(c.get("accountId") or "", c.get("spId") or "") for c in customers]


def _characteristic(item: dict) -> Characteristic:
    value = item.get("characteristicValue") or {}
    return Characteristic(
        characteristic_type=item.get("characteristicType") or "",
        type_of_characteristic_value=item.get("typeOfCharacteristicValue") or "",
        sequence=item.get("sequence"),
        **{name: value.get(name) or "" for name in CHARACTERISTIC_VALUES},
    )


def logged_messages(data) -> list[LoggedMessage]:
    """What the log keeps of a refused document's messages, read from what was sent (unvalidated: any shape)."""
    messages = data.get("outageMessages") if isinstance(data, dict) else None
    if not isinstance(messages, list):
        return []
    logged = []
    for message in messages:
        details = message.get("eventDetails") if isinstance(message, dict) else None
        outage_id = details.get("externalOutageId") if isinstance(details, dict) else None
        reference = details.get("messageReference") if isinstance(details, dict) else None
        logged.append(
            LoggedMessage(
                outage_id="" if outage_id is None else str(outage_id),
                message_reference="" if reference is None else str(reference),
                payload=dumps_message(message, _dumps, sent=True),
            )
        )
    return logged


# --- sibling reads ------------------------------------------------------------------------------------------


class OutageEventKeySerializer(serializers.Serializer):
    """The path of the GET: the wire's string rules (NUL refused) before any lookup."""

    externalSystem = StrictCharField(trim_whitespace=False)
    externalOutageId = StrictCharField(trim_whitespace=False)


class OutageEventSearchSerializer(serializers.Serializer):
    accountId = StrictCharField(max_length=10, required=False, allow_blank=True)
    spId = StrictCharField(max_length=10, required=False, allow_blank=True)
    includeRecentlyRestored = StrictBooleanField(
        required=False, default=False, help_text="Also outages restored in the last 24 hours."
    )

    def validate(self, attrs):
        if not (attrs.get("accountId") or attrs.get("spId")):
            raise serializers.ValidationError("Give an accountId, an spId or both.")
        return attrs


class OutageEventSummarySerializer(serializers.Serializer):
    externalSystem = serializers.CharField(source="external_system.name")
    externalOutageId = serializers.CharField(source="external_outage_id")
    outageType = serializers.CharField(source="outage_type")
    state = serializers.ChoiceField(choices=OutageState.choices)
    messageReference = serializers.CharField(source="message_reference")
    startDateTime = serializers.DateTimeField(source="start_date_time", allow_null=True)
    estimatedRestorationTime = serializers.DateTimeField(source="estimated_restoration_time", allow_null=True)
    completionDateTime = serializers.DateTimeField(source="completion_date_time", allow_null=True)
    discarded = serializers.BooleanField()
    impactedCustomers = WholeNumberOutField(source="impacted_customers", allow_null=True)
    customersCount = serializers.IntegerField(source="customer_count")


class OutageEventSearchResultSerializer(serializers.Serializer):
    """``C1OutEvtSearch``: the outages affecting the account or service point."""

    outageEvents = OutageEventSummarySerializer(many=True)


class OutageHistoryEntrySerializer(serializers.Serializer):
    receivedAt = serializers.DateTimeField(source="received_at")
    messageReference = serializers.CharField(source="message_reference")
    outcome = serializers.CharField()
    reason = serializers.CharField()
    receivedBy = serializers.CharField(source="received_by")


class OutageCharacteristicOutSerializer(serializers.Serializer):
    characteristicType = serializers.CharField(source="characteristic_type")
    typeOfCharacteristicValue = serializers.CharField(source="type_of_characteristic_value")
    sequence = WholeNumberOutField(allow_null=True)
    characteristicValue = serializers.SerializerMethodField()

    def get_characteristicValue(self, obj) -> OutageCharacteristicValueSerializer:
        return {name: getattr(obj, name) for name in ("value", "value2", "value3", "value4", "value5")}


class OutageEventDetailOutSerializer(OutageEventSummarySerializer):
    """``C1OutEvt``: one event with its characteristics, details and the history of its messages."""

    additionalDetails = OutageAdditionalDetailSerializer(source="details", many=True)
    characteristics = OutageCharacteristicOutSerializer(many=True)
    history = OutageHistoryEntrySerializer(many=True, source="recent_messages")


EXAMPLES = {
    "notifications": [OpenApiExample("Spec example", value=SPEC_EXAMPLE, request_only=False)],
    "search": [
        OpenApiExample(
            "By account", value={"accountId": "1589809032", "includeRecentlyRestored": True}, request_only=True
        )
    ],
}
