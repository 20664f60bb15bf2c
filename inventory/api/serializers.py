"""Request validation of the UIM bundle-service API (the OpenAPI shapes of responses are in ``api/schema.py``).

Field names are the wire names; those that are not Python identifiers (``@referredType``, ``@type``) are
declared under a Python name and renamed in ``get_fields``.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.text import text_problem
from core.wire.bounds import LengthsFirstMixin

from .. import models
from ..choices import ENTITY_TYPES
from ..models import ID_MAX, NAME_MAX
from ..services import RESTATABLE_ATTRIBUTES, UPDATABLE_ATTRIBUTES
from .render import SERVICE_ATTRIBUTES, SERVICE_LINK_KINDS


def _no_nul(value):
    """The one character rule (``core/text.py``: no NUL, no control character) anywhere in a JSON value."""
    if isinstance(value, str) and (problem := text_problem(value)):
        raise serializers.ValidationError(problem)
    if isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


def enum_field(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field documented with an inline enum.

    Enum components are named after the field, and here ``state`` or ``@referredType`` name different sets in
    different objects (as in the spec); wrapped in a one-element ``oneOf`` the enum stays inline, unnamed.
    """
    values = [choice[0] if isinstance(choice, tuple | list) else choice for choice in choices]
    schema = {"oneOf": [{"type": "string", "enum": values}]}
    field_class = extend_schema_field(schema)(type("EnumField", (serializers.ChoiceField,), {}))
    return field_class(choices=choices, **kwargs)


class WireNamesMixin:
    """Rename fields whose wire name is not an identifier: ``wire_names = {"referred_type": "@referredType"}``."""

    wire_names: dict = {}

    def get_fields(self):
        fields = super().get_fields()
        for python_name, wire_name in self.wire_names.items():
            if python_name in fields:
                fields[wire_name] = fields.pop(python_name)
        return fields


def _text(max_length=NAME_MAX, **kwargs):
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, **kwargs)


def _id(**kwargs):
    return serializers.CharField(max_length=ID_MAX, **kwargs)


# --- request ------------------------------------------------------------------------------------------------

# The bounds of a bundle body (docs/inventory.md, "Bounds"), checked before anything else looks at the body: the
# spec's examples carry two items of a few references each, and the bench's 100-item bundle is created in about
# half a second; 1,000 items of the spec's shape take about 2.5 s on PostgreSQL.
MAX_ITEMS = 1000  # items of one bundle
MAX_PER_ITEM = 100  # supportingResource, relatedParty, place, serviceCharacteristic, serviceRelationship, each
MAX_ELEMENTS = 10_000  # those five lists of every item together
ITEM_LISTS = ("supportingResource", "relatedParty", "place", "serviceCharacteristic", "serviceRelationship")


class SpecificationRefSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=NAME_MAX, help_text="The specification's id, which is its name.")
    name = _text()
    href = _text(1000)
    version = _text(20)
    entityType = enum_field(choices=ENTITY_TYPES, required=False)

    class Meta:
        ref_name = "UIMSpecificationRef"


class ConfigItemFieldsMixin(serializers.Serializer):
    configItemId = _text()
    configItemName = _text()
    configItemDisplayName = _text()


class CharacteristicSerializer(WireNamesMixin, ConfigItemFieldsMixin):
    wire_names = {"type": "@type", "schema_location": "@schemaLocation"}

    name = serializers.CharField(max_length=NAME_MAX)
    valueType = enum_field(choices=models.ValueType.choices, required=False)
    # The spec: value (required). A null would be stored as no value and break the response's "value" (required).
    value = serializers.JSONField(
        validators=[_no_nul], help_text="The characteristic's value (any JSON value but null)."
    )
    serviceName = _text(help_text="The service the characteristic belongs to; another name makes a supporting RFS.")
    serviceSpecName = _text(help_text="The specification of that service; needed to create a supporting RFS.")
    configItemPath = _text()
    type = _text()
    schema_location = _text(1000)

    class Meta:
        ref_name = "UIMServiceCharacteristic"


class ReferenceFieldsMixin(ConfigItemFieldsMixin):
    id = _id()
    name = _text()
    href = _text(1000)
    consumerName = _text(help_text="The service that consumes the reference (the item or a supporting RFS).")
    referenceType = enum_field(choices=models.ReferenceType.choices, required=False)
    referenceState = enum_field(choices=models.ReferenceState.choices, required=False)


class ResourceRefSerializer(WireNamesMixin, ReferenceFieldsMixin):
    wire_names = {"referred_type": "@referredType"}

    referred_type = enum_field(choices=models.ResourceType.choices, required=False)
    assignmentState = enum_field(choices=models.AssignmentState.choices, required=False)

    class Meta:
        ref_name = "UIMSupportingResourceRequest"


class PartySpecRefSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=NAME_MAX)

    class Meta:
        ref_name = "UIMPartySpecificationRef"


class PartyRefSerializer(WireNamesMixin, ReferenceFieldsMixin):
    wire_names = {"referred_type": "@referredType"}

    referred_type = _text(60)
    role = _text()
    partySpecification = PartySpecRefSerializer(required=False)

    class Meta:
        ref_name = "UIMRelatedPartyRequest"


class PlaceRefSerializer(WireNamesMixin, ReferenceFieldsMixin):
    wire_names = {"referred_type": "@referredType"}

    referred_type = enum_field(choices=models.PlaceType.choices, required=False)
    role = _text()
    assignmentState = enum_field(choices=models.AssignmentState.choices, required=False)

    class Meta:
        ref_name = "UIMPlaceRequest"


class ServiceIdSerializer(serializers.Serializer):
    id = _id()
    href = _text(1000)

    class Meta:
        ref_name = "UIMServiceIdRef"


class RelationshipSerializer(serializers.Serializer):
    relationshipType = serializers.CharField(max_length=NAME_MAX)
    service = ServiceIdSerializer()

    class Meta:
        ref_name = "UIMServiceRelationshipRequest"


class ExternalIdentitySerializer(serializers.Serializer):
    externalArrangement = enum_field(choices=models.ExternalArrangement.choices, required=False)
    externalManagementDomain = _text()
    externalName = _text()
    externalObjectId = _text()

    class Meta:
        ref_name = "UIMExternalIdentity"


class BundleItemSerializer(serializers.Serializer):
    """A bundle item (a service) to create: name, serviceSpecification and state are mandatory."""

    name = serializers.CharField(max_length=NAME_MAX)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    category = enum_field(choices=models.ServiceCategory.choices, required=False)
    serviceType = _text()
    state = enum_field(choices=models.ServiceState.choices)
    serviceSpecification = SpecificationRefSerializer()
    startDate = serializers.DateTimeField(required=False)
    endDate = serializers.DateTimeField(required=False)
    effectiveDate = serializers.DateTimeField(required=False)
    externalIdentity = ExternalIdentitySerializer(required=False)
    supportingResource = ResourceRefSerializer(many=True, required=False, max_length=MAX_PER_ITEM)
    relatedParty = PartyRefSerializer(many=True, required=False, max_length=MAX_PER_ITEM)
    place = PlaceRefSerializer(many=True, required=False, max_length=MAX_PER_ITEM)
    serviceCharacteristic = CharacteristicSerializer(many=True, required=False, max_length=MAX_PER_ITEM)
    serviceRelationship = RelationshipSerializer(many=True, required=False, max_length=MAX_PER_ITEM)

    class Meta:
        ref_name = "UIMBundleItemCreate"


class BundleUpdateItemSerializer(serializers.Serializer):
    """A bundle item to update: only these attributes (``state`` and ``serviceRelationship`` may be restated
    unchanged, as the spec's own update example does)."""

    id = _id()
    name = serializers.CharField(max_length=NAME_MAX, required=False)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    externalIdentity = ExternalIdentitySerializer(required=False)
    supportingResource = ResourceRefSerializer(many=True, required=False, max_length=MAX_PER_ITEM)
    relatedParty = PartyRefSerializer(many=True, required=False, max_length=MAX_PER_ITEM)
    place = PlaceRefSerializer(many=True, required=False, max_length=MAX_PER_ITEM)
    serviceCharacteristic = CharacteristicSerializer(many=True, required=False, max_length=MAX_PER_ITEM)
    state = enum_field(choices=models.ServiceState.choices, required=False)
    serviceRelationship = RelationshipSerializer(many=True, required=False, max_length=MAX_PER_ITEM)

    class Meta:
        ref_name = "UIMBundleItemUpdate"

    def to_internal_value(self, data):
        allowed = set(UPDATABLE_ATTRIBUTES) | set(RESTATABLE_ATTRIBUTES)
        refused = {
            key: [f"cannot be updated: an update item may carry only {', '.join(UPDATABLE_ATTRIBUTES)}."]
            for key in (data if isinstance(data, dict) else ())
            if key not in allowed
        }
        if refused:
            raise serializers.ValidationError(refused)
        return super().to_internal_value(data)


class BundleBoundsMixin(LengthsFirstMixin):
    """The bounds of a bundle body: each list's own (``MAX_ITEMS``, ``MAX_PER_ITEM``), then ``MAX_ELEMENTS`` over
    the items' lists together — lengths only, before any element is looked at."""

    def check_bounds(self, data) -> None:
        super().check_bounds(data)
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return
        lists = (item.get(name) for item in items if isinstance(item, dict) for name in ITEM_LISTS)
        total = sum(len(value) for value in lists if isinstance(value, list))
        if total > MAX_ELEMENTS:
            raise serializers.ValidationError(
                {
                    "items": [
                        f"The items' lists ({', '.join(ITEM_LISTS)}) hold {total:,} elements; at most {MAX_ELEMENTS:,}."
                    ]
                }
            )


class BundleCreateSerializer(BundleBoundsMixin, serializers.Serializer):
    """No ``id``: create a bundle of these items."""

    effectiveDate = serializers.DateTimeField(required=False, help_text="When the bundle goes to activate.")
    items = BundleItemSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS)

    class Meta:
        ref_name = "UIMBundleCreate"


class BundleUpdateSerializer(BundleBoundsMixin, serializers.Serializer):
    """An ``id``: update the items of that bundle."""

    id = _id(help_text="The parent business interaction's id (a number is accepted too).")
    items = BundleUpdateItemSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS)

    class Meta:
        ref_name = "UIMBundleUpdate"

    def validate_items(self, items):
        seen, errors = set(), []
        for item in items:
            errors.append({"id": [f"Service {item['id']} appears twice in the bundle."]} if item["id"] in seen else {})
            seen.add(item["id"])
        if any(errors):
            raise serializers.ValidationError(errors)
        return items


class _NamesField(serializers.Field):
    """A comma-separated list of names, read leniently (see validate_fields)."""

    def to_internal_value(self, data):
        return str(data)


class BundleQuerySerializer(serializers.Serializer):
    designOnly = serializers.BooleanField(
        required=False, default=True, help_text="true: apply only; false: then approve, issue and activate."
    )
    fields = _NamesField(required=False)
    expand = _NamesField(required=False)
    depth = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10)

    # Names that are not first-level attributes (or expandable links) select nothing, as TMF630 servers do.
    def validate_fields(self, value):
        return tuple(n.strip() for n in value.split(",") if n.strip() in SERVICE_ATTRIBUTES)

    def validate_expand(self, value):
        return frozenset(n.strip() for n in value.split(",") if n.strip() in SERVICE_LINK_KINDS)


class ServiceListQuerySerializer(BundleQuerySerializer):
    designOnly = None
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10**9)
    limit = serializers.IntegerField(required=False, default=100, min_value=1, max_value=1000)
