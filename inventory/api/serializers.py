"""Request validation of the UIM bundle-service API, handed to the bundle services in their terms
(``service_arguments()``, translated by ``terms.py``; ``named_entities``). The OpenAPI document shows these very
classes as the request schemas (``BundleCreateSerializer`` → ``BundleCreateRequest``); a response reuses the
``UIM…Serializer`` ones.

Field names are the wire names; those that are not Python identifiers (``@referredType``, ``@type``) are
declared under a Python name and renamed in ``get_fields``.
"""

from django.core.validators import MaxLengthValidator, MinLengthValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.text import text_problem
from core.wire.bounds import LengthsFirstMixin

from .. import models
from ..choices import ENTITY_TYPES
from ..models import ID_MAX, NAME_MAX
from ..services import EntityName
from ..services.items import PARTY, PLACE, RESOURCE, SERVICE, SPECIFICATION
from .render import SERVICE_ATTRIBUTES, SERVICE_LINK_KINDS
from .terms import item_update, new_item


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
# Attributes an update item may carry (the spec's list) and those it may restate unchanged (its own example does).
UPDATABLE_ATTRIBUTES = (
    "id",
    "description",
    "name",
    "supportingResource",
    "relatedParty",
    "serviceCharacteristic",
    "place",
    "externalIdentity",
)
RESTATABLE_ATTRIBUTES = ("state", "serviceRelationship")


class BoundedListSerializer(serializers.ListSerializer):
    """``many=True`` whose bounds the OpenAPI document shows (``maxItems``, ``minItems``): DRF checks them in
    ``to_internal_value`` and drf-spectacular reads only validators, so they are also given as validators, which
    then never fail (they run on the list DRF has already bounded)."""

    def get_validators(self):
        bounds = [MaxLengthValidator(self.max_length)] if self.max_length is not None else []
        return bounds + ([] if self.allow_empty else [MinLengthValidator(1)])


def _list(serializer_class, max_length=MAX_PER_ITEM, required=False, **kwargs) -> BoundedListSerializer:
    """A list of ``serializer_class`` objects, at most ``max_length`` of them."""
    return BoundedListSerializer(child=serializer_class(), max_length=max_length, required=required, **kwargs)


class SpecificationRefSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=NAME_MAX, help_text="The specification's id, which is its name.")
    name = _text()
    href = _text(1000)
    version = _text(20)
    entityType = enum_field(choices=ENTITY_TYPES, required=False)


class ConfigItemFieldsMixin(serializers.Serializer):
    configItemId = _text()
    configItemName = _text()
    configItemDisplayName = _text()


class CharacteristicSerializer(WireNamesMixin, ConfigItemFieldsMixin):
    """A characteristic of the item, or of a supporting service it names (``serviceName``)."""

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


class ReferenceFieldsMixin(ConfigItemFieldsMixin):
    id = _id()
    name = _text()
    href = _text(1000)
    consumerName = _text(help_text="The service that consumes the reference (the item or a supporting RFS).")
    referenceType = enum_field(choices=models.ReferenceType.choices, required=False)
    referenceState = enum_field(choices=models.ReferenceState.choices, required=False)


class ResourceRefSerializer(WireNamesMixin, ReferenceFieldsMixin):
    """A resource the item (or a supporting service, ``consumerName``) references or is assigned."""

    wire_names = {"referred_type": "@referredType"}

    referred_type = enum_field(choices=models.ResourceType.choices, required=False)
    assignmentState = enum_field(choices=models.AssignmentState.choices, required=False)


class UIMPartySpecificationRefSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=NAME_MAX)


class PartyRefSerializer(WireNamesMixin, ReferenceFieldsMixin):
    """A party related to the item (or to a supporting service, ``consumerName``)."""

    wire_names = {"referred_type": "@referredType"}

    referred_type = _text(60)
    role = _text()
    partySpecification = UIMPartySpecificationRefSerializer(required=False)


class PlaceRefSerializer(WireNamesMixin, ReferenceFieldsMixin):
    """A place of the item (or of a supporting service, ``consumerName``)."""

    wire_names = {"referred_type": "@referredType"}

    referred_type = enum_field(choices=models.PlaceType.choices, required=False)
    role = _text()
    assignmentState = enum_field(choices=models.AssignmentState.choices, required=False)


class ServiceIdSerializer(serializers.Serializer):
    id = _id()
    href = _text(1000)


class RelationshipSerializer(serializers.Serializer):
    relationshipType = serializers.CharField(max_length=NAME_MAX)
    service = ServiceIdSerializer()


class UIMExternalIdentitySerializer(serializers.Serializer):
    externalArrangement = enum_field(choices=models.ExternalArrangement.choices, required=False)
    externalManagementDomain = _text()
    externalName = _text()
    externalObjectId = _text()


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
    externalIdentity = UIMExternalIdentitySerializer(required=False)
    supportingResource = _list(ResourceRefSerializer)
    relatedParty = _list(PartyRefSerializer)
    place = _list(PlaceRefSerializer)
    serviceCharacteristic = _list(CharacteristicSerializer)
    serviceRelationship = _list(RelationshipSerializer)


class BundleUpdateItemSerializer(serializers.Serializer):
    """A bundle item to update: only these attributes (``state`` and ``serviceRelationship`` may be restated
    unchanged, as the spec's own update example does)."""

    id = _id()
    name = serializers.CharField(max_length=NAME_MAX, required=False)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    externalIdentity = UIMExternalIdentitySerializer(required=False)
    supportingResource = _list(ResourceRefSerializer)
    relatedParty = _list(PartyRefSerializer)
    place = _list(PlaceRefSerializer)
    serviceCharacteristic = _list(CharacteristicSerializer)
    state = enum_field(choices=models.ServiceState.choices, required=False)
    serviceRelationship = _list(RelationshipSerializer)

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


ITEMS_HELP = (
    f"At most {MAX_ITEMS:,} items; each list of an item at most {MAX_PER_ITEM} elements, and {MAX_ELEMENTS:,} in all "
    "over the items (docs/inventory.md)."
)


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
    items = _list(BundleItemSerializer, MAX_ITEMS, required=True, allow_empty=False, help_text=ITEMS_HELP)

    def service_arguments(self) -> dict:
        """The validated body as ``bundle_create`` keyword arguments."""
        data = self.validated_data
        return {"items": [new_item(item) for item in data["items"]], "effective_date": data.get("effectiveDate")}


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "minLength": 1, "maxLength": ID_MAX, "pattern": r"\S"},  # blank: a 400
            {"type": "integer", "minimum": 1},
        ]
    }
)
class BundleIdField(serializers.CharField):
    """A bundle's id as the server takes it: a string or a number (a ``CharField`` takes both)."""


class BundleUpdateSerializer(BundleBoundsMixin, serializers.Serializer):
    """An ``id``: update the items of that bundle."""

    id = BundleIdField(max_length=ID_MAX, help_text="The parent business interaction's id, a string or a number.")
    items = _list(BundleUpdateItemSerializer, MAX_ITEMS, required=True, allow_empty=False, help_text=ITEMS_HELP)

    def validate_items(self, items):
        seen, errors = set(), []
        for item in items:
            errors.append({"id": [f"Service {item['id']} appears twice in the bundle."]} if item["id"] in seen else {})
            seen.add(item["id"])
        if any(errors):
            raise serializers.ValidationError(errors)
        return items

    def service_arguments(self) -> dict:
        """The validated body as ``bundle_update`` keyword arguments."""
        data = self.validated_data
        return {"bundle_id": data["id"], "items": [item_update(item) for item in data["items"]]}


def _text_id(value) -> str | None:
    """A value that can be an id (a string or a number, 1 to 255 characters, no NUL), as text; else ``None``."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if 0 < len(text) <= 255 and "\x00" not in text else None


def _dicts(value) -> list[dict]:
    return [element for element in value if isinstance(element, dict)] if isinstance(value, list) else []


def _named_type(value) -> str:
    return value if isinstance(value, str) else ""


def named_entities(raw_items) -> list[EntityName]:
    """The entities a raw (not yet validated) create request names by a well-formed id, in the order
    ``bundle_create`` looks them up: the view checks them before validating, so that a request naming an unknown
    entity is answered 404 whatever else is wrong with it. Ids that are not well-formed are left to validation."""
    names: list[EntityName] = []
    for raw in _dicts(raw_items)[:MAX_ITEMS]:
        spec = raw.get("serviceSpecification")
        if isinstance(spec, dict) and (spec_id := _text_id(spec.get("id"))):
            names.append(EntityName(SPECIFICATION, spec_id, _named_type(spec.get("entityType"))))
        for char in _dicts(raw.get("serviceCharacteristic")):
            if spec_name := _text_id(char.get("serviceSpecName")):
                names.append(EntityName(SPECIFICATION, spec_name))
        for kind, key in ((RESOURCE, "supportingResource"), (PARTY, "relatedParty"), (PLACE, "place")):
            for ref in _dicts(raw.get(key)):
                if ref_id := _text_id(ref.get("id")):
                    typed = kind != PARTY  # a party's @referredType is no entity class: its 404 says Party
                    names.append(EntityName(kind, ref_id, _named_type(ref.get("@referredType")) if typed else ""))
        for rel in _dicts(raw.get("serviceRelationship")):
            service = rel.get("service")
            if isinstance(service, dict) and (service_id := _text_id(service.get("id"))):
                names.append(EntityName(SERVICE, service_id))
    return names


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
