"""The ``C1CreUpdCC`` customer contact on the wire (camelCase names, lengths and codes of the spec)."""

from collections.abc import Mapping

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from core.wire.fields import CodeField, StrictCharField

from ..models import ContactStatus, CustomerContact, DeliveryChannel, IdentifierType, Origin

# wire name -> model field, for the flat fields of the contact
WIRE_FIELDS = {
    "accountId": "account_id",
    "contactId": "contact_id",
    "deliveryChannel": "delivery_channel",
    "deliveryValue": "delivery_value",
    "emailSubject": "email_subject",
    "eventCapturedDateTime": "event_captured_at",
    "notificationInstanceId": "notification_instance_id",
    "notificationPreferenceId": "notification_preference_id",
    "notificationType": "notification_type",
    "origin": "origin",
    "personId": "person_id",
    "reason": "reason",
    "status": "status",
}
MODEL_TO_WIRE = {model: wire for wire, model in WIRE_FIELDS.items()} | {"cc_id": "ccId"}
ORIGIN_ALIASES = {"CCB": Origin.CCB}  # the spec's own origin example is "CCB"


class DeliveryValueField(StrictCharField):
    """``deliveryValue``: validated against the channel by the service (an e-mail for EMAI, a phone for the rest).

    Its 254-character limit is checked here rather than declared as ``max_length`` (see the extension below).
    """

    limit = 254
    default_error_messages = {"too_long": "Ensure this field has no more than {limit} characters."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(value) > self.limit:
            self.fail("too_long", limit=self.limit)
        return value


class DeliveryValueFieldExtension(OpenApiSerializerFieldExtension):
    """Documented with an example and its limit in words, not as ``maxLength``: whether a value fits depends on
    ``deliveryChannel`` (and on the stored channel), which a schema cannot say, and a schema-driven generator
    would otherwise take any 254-character string for valid."""

    target_class = DeliveryValueField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "example": "+14155552671"}


def text(max_length: int, *, allow_null: bool = True, **kwargs) -> StrictCharField:
    """A spec string: kept as sent (no trimming), may be blank (clears the value) or null (ignored)."""
    return StrictCharField(
        max_length=max_length, required=False, allow_blank=True, allow_null=allow_null, trim_whitespace=False, **kwargs
    )


MAX_LIST = 100  # identifiers and template parameters of a contact, each (docs/contacts.md)


class CustomerContactIdentifierSerializer(serializers.Serializer):
    externalRefId = StrictCharField(
        max_length=120,
        allow_null=True,
        trim_whitespace=False,
        help_text="Customer Contact External Reference (required in an item)",
    )
    identifierType = CodeField(choices=IdentifierType.choices, required=False)

    class Meta:
        ref_name = "C1CreUpdCCIdentifier"


class TemplateDataListSerializer(serializers.ListSerializer):
    """``templateData`` is an array of ``{key, value}``; leniently also an object holding such an array (the
    spec draws it as an object whose nested schema is ``items``) or a single ``{key, value}`` object."""

    @staticmethod
    def _unwrap(data):
        """``{"items": [...]}`` or ``{"items": {...}}`` -> the items; a lone ``{key, value}`` -> a one-item list."""
        if isinstance(data, Mapping):
            if data and set(data) <= {"key", "value"}:
                return [data]
            if len(data) == 1:
                (inner,) = data.values()
                if isinstance(inner, Mapping) or (isinstance(inner, list) and inner):
                    return [inner] if isinstance(inner, Mapping) else inner
        return data

    def to_internal_value(self, data):
        data = self._unwrap(data)
        if (
            isinstance(data, list)
            and len(data) == 1
            and isinstance(data[0], Mapping)
            and set(data[0]) - {"key", "value"}
        ):
            data = self._unwrap(data[0])  # XML: <templateData><items>..</items><items>..</items></templateData>
        return super().to_internal_value(data)


class TemplateDataItemSerializer(serializers.Serializer):
    key = StrictCharField(
        max_length=254, allow_blank=True, allow_null=True, trim_whitespace=False, help_text="Template Parameter Key"
    )
    value = text(254, help_text="Template Parameter Value")

    class Meta:
        ref_name = "C1CreUpdCCTemplateData"
        list_serializer_class = TemplateDataListSerializer


class CustomerContactSerializer(serializers.Serializer):
    """The request body of ``PUT .../customerContact/{externalCCId}`` (every field optional)."""

    accountId = text(10, help_text="Account ID is the account used on the customer contact.")
    ccId = text(
        10, allow_null=False, help_text="Customer Contact ID: assigned by the system; if sent it must be the contact's."
    )
    contactId = text(10, help_text="Person Contact")
    customerContactIdentifier = CustomerContactIdentifierSerializer(many=True, required=False, max_length=MAX_LIST)
    deliveryChannel = CodeField(
        choices=DeliveryChannel.choices, required=False, help_text="Delivery Type (compared trimmed)"
    )
    deliveryValue = DeliveryValueField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Contact Information (at most 254 characters): an e-mail address when deliveryChannel is EMAI, "
        "a phone number (international, or national in the US) for SMS, IVR and FAX; anything else is a 400.",
    )
    emailSubject = text(256, help_text="Subject")
    eventCapturedDateTime = serializers.DateTimeField(required=False, help_text="Event Date/Time (ISO 8601)")
    externalCCId = text(120, allow_null=False, help_text="Customer Contact External Reference; must equal the path's")
    notificationInstanceId = text(32, help_text="Notification Instance")
    notificationPreferenceId = text(14, help_text="Communication Preference")
    notificationType = text(30, help_text="Notification Type")
    origin = CodeField(
        choices=Origin.choices,
        aliases=ORIGIN_ALIASES,
        required=False,
        help_text="Originating system (compared trimmed; CCB is read as C1CB)",
    )
    personId = text(10, help_text="Person ID is the person used on the customer contact.")
    reason = text(500, help_text="Status Reason")
    status = CodeField(choices=ContactStatus.choices, required=False, help_text="Integration Status")
    templateData = TemplateDataItemSerializer(
        many=True, required=False, max_length=MAX_LIST, help_text="Template parameters, an array of {key, value}"
    )

    class Meta:
        # Same name as the response: with COMPONENT_SPLIT_REQUEST this one becomes "C1CreUpdCCRequest", and
        # each code enum belongs to one component, so no other app's "status" enum can collide with it.
        ref_name = "C1CreUpdCC"

    def service_arguments(self) -> dict:
        """The validated body as ``contact_upsert`` keyword arguments (fields not sent are left out)."""
        data = self.validated_data
        fields = {WIRE_FIELDS[name]: value for name, value in data.items() if name in WIRE_FIELDS}
        identifiers = data.get("customerContactIdentifier")
        template = data.get("templateData")
        return {
            "cc_id": data.get("ccId") or None,
            "fields": fields,
            "identifiers": None
            if identifiers is None
            else [
                {"external_ref_id": i.get("externalRefId") or "", "identifier_type": i.get("identifierType") or ""}
                for i in identifiers
            ],
            "template_data": None
            if template is None
            else [{"key": t.get("key") or "", "value": t.get("value") or ""} for t in template],
        }


class CustomerContactIdentifierOutSerializer(serializers.Serializer):
    externalRefId = serializers.CharField(source="external_ref_id", required=False)
    identifierType = CodeField(source="identifier_type", choices=IdentifierType.choices, required=False)

    class Meta:
        ref_name = "C1CreUpdCCIdentifier"

    def to_representation(self, instance):
        return {k: v for k, v in super().to_representation(instance).items() if v not in ("", None)}


class TemplateDataItemOutSerializer(serializers.Serializer):
    key = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "C1CreUpdCCTemplateData"


class C1CreUpdCCSerializer(serializers.Serializer):
    """The response: the whole record. Empty values are left out, as the product leaves out empty elements."""

    accountId = serializers.CharField(source="account_id", required=False)
    ccId = serializers.CharField(source="cc_id", help_text="Customer Contact ID: 10 digits, assigned once")
    contactId = serializers.CharField(source="contact_id", required=False)
    customerContactIdentifier = CustomerContactIdentifierOutSerializer(source="identifiers", many=True)
    deliveryChannel = CodeField(source="delivery_channel", choices=DeliveryChannel.choices, required=False)
    deliveryValue = serializers.CharField(source="delivery_value", required=False)
    emailSubject = serializers.CharField(source="email_subject", required=False)
    eventCapturedDateTime = serializers.DateTimeField(source="event_captured_at", required=False)
    externalCCId = serializers.CharField(source="external_cc_id")
    notificationInstanceId = serializers.CharField(source="notification_instance_id", required=False)
    notificationPreferenceId = serializers.CharField(source="notification_preference_id", required=False)
    notificationType = serializers.CharField(source="notification_type", required=False)
    origin = CodeField(choices=Origin.choices, required=False)
    personId = serializers.CharField(source="person_id", required=False)
    reason = serializers.CharField(required=False)
    status = CodeField(choices=ContactStatus.choices, required=False)
    templateData = TemplateDataItemOutSerializer(source="template_data", many=True)

    class Meta:
        ref_name = "C1CreUpdCC"

    def to_representation(self, instance: CustomerContact):
        data = super().to_representation(instance)
        return {k: v for k, v in data.items() if v not in ("", None)}


_CAPTURED = serializers.DateTimeField()  # formats a date-time exactly as the serializer's field does


def contact_to_wire(contact: CustomerContact) -> dict:
    """``C1CreUpdCCSerializer(contact).data``, written out: the same keys in the same order, the same values and
    the same omissions, without building (deep-copying) a serializer and its nested fields on every request —
    that cost more than the rest of a contact PUT. ``tests/contacts/test_api.py`` keeps the two equal; the
    serializer stays the schema's declaration."""
    captured = contact.event_captured_at
    data = {
        "accountId": contact.account_id,
        "ccId": contact.cc_id,
        "contactId": contact.contact_id,
        "customerContactIdentifier": [
            {
                key: value
                for key, value in (("externalRefId", item.external_ref_id), ("identifierType", item.identifier_type))
                if value not in ("", None)
            }
            for item in contact.identifiers.all()
        ],
        "deliveryChannel": contact.delivery_channel,
        "deliveryValue": contact.delivery_value,
        "emailSubject": contact.email_subject,
        "eventCapturedDateTime": None if captured is None else _CAPTURED.to_representation(captured),
        "externalCCId": contact.external_cc_id,
        "notificationInstanceId": contact.notification_instance_id,
        "notificationPreferenceId": contact.notification_preference_id,
        "notificationType": contact.notification_type,
        "origin": contact.origin,
        "personId": contact.person_id,
        "reason": contact.reason,
        "status": contact.status,
        "templateData": [{"key": item.key, "value": item.value} for item in contact.template_data.all()],
    }
    return {key: value for key, value in data.items() if value not in ("", None)}
