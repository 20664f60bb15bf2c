"""Shapes the OpenAPI document shows: the request as documented, and the responses ``api/render.py`` produces.

Requests are validated by ``api/serializers.py``; these classes only describe. Each component of the document is
named after its class (``UIMServiceSerializer`` → ``UIMService``; a request's gets drf-spectacular's ``Request``).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import models
from ..choices import ENTITY_TYPES
from ..models import ID_MAX, NAME_MAX
from .serializers import (
    MAX_ELEMENTS,
    MAX_ITEMS,
    MAX_PER_ITEM,
    UIMExternalIdentitySerializer,
    UIMPartySpecificationRefSerializer,
    WireNamesMixin,
    enum_field,
)

# --- request (as documented) ----------------------------------------------------------------------------------


class _ReferenceListField(serializers.ListField):
    child = serializers.DictField()

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_PER_ITEM)
        super().__init__(**kwargs)


class UIMSpecificationIdRequestSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=NAME_MAX)
    name = serializers.CharField(required=False)
    entityType = serializers.CharField(required=False)


class UIMBundleItemRequestSerializer(serializers.Serializer):
    """A bundle item as documented. The request is validated against ``BundleItemSerializer`` (create) or
    ``BundleUpdateItemSerializer`` (update); the nested reference objects are documented in the descriptions
    rather than property by property, which keeps the API fuzzing of the whole project affordable."""

    id = serializers.CharField(required=False, help_text="Update only: the service to update.")
    name = serializers.CharField(max_length=NAME_MAX, help_text="Mandatory to create.")
    description = serializers.CharField(required=False)
    state = serializers.CharField(
        help_text="Mandatory to create; cannot be updated. " + ", ".join(models.ServiceState.values) + "."
    )
    serviceSpecification = UIMSpecificationIdRequestSerializer(
        help_text="Mandatory to create: {id, name, entityType}; id is the specification's name. Cannot be updated."
    )
    supportingResource = _ReferenceListField(
        required=False, help_text="[{id, @referredType, name, consumerName, assignmentState, configItem...}]"
    )
    relatedParty = _ReferenceListField(
        required=False, help_text="[{id, role, referenceType, consumerName, partySpecification: {id}, configItem...}]"
    )
    place = _ReferenceListField(required=False, help_text="[{id, @referredType, role, referenceType, consumerName}]")
    serviceCharacteristic = _ReferenceListField(
        required=False,
        help_text="[{name, valueType, value, serviceName, serviceSpecName, configItemPath, configItem...}]; a "
        "serviceName other than the item's name makes or updates a supporting service of that name and spec.",
    )
    serviceRelationship = _ReferenceListField(required=False, help_text="[{relationshipType, service: {id}}]")
    externalIdentity = serializers.DictField(
        required=False, help_text="{externalArrangement, externalManagementDomain, externalName, externalObjectId}"
    )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "minLength": 1, "maxLength": ID_MAX, "pattern": r"\S"},  # blank: a 400
            {"type": "integer", "minimum": 1},
        ],
        "nullable": True,
    }
)
class BundleIdDocField(serializers.Field):
    """The bundle id of a POST as the server takes it (``BundleUpdateSerializer.id``): a string or a number."""


class UIMBundleRequestSerializer(serializers.Serializer):
    """No ``id``: create a bundle. An ``id`` (string or number): update that bundle's items."""

    id = BundleIdDocField(
        required=False,
        help_text="The bundle (parent business interaction) to update, as a string or a number; absent or null to "
        "create one.",
    )
    effectiveDate = serializers.DateTimeField(required=False)
    items = serializers.ListField(
        child=UIMBundleItemRequestSerializer(),
        min_length=1,
        max_length=MAX_ITEMS,
        help_text=f"At most {MAX_ITEMS:,} items; each list of an item at most {MAX_PER_ITEM} elements, and "
        f"{MAX_ELEMENTS:,} in all over the items (docs/inventory.md).",
    )


# --- response (documentation of what api/render.py produces) ----------------------------------------------


class UIMBusinessInteractionRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    state = enum_field(choices=models.InteractionState.choices)


class UIMSpecificationSerializer(serializers.Serializer):
    id = serializers.CharField()
    href = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField()
    entityType = enum_field(choices=ENTITY_TYPES, required=False)
    description = serializers.CharField(required=False)
    startDate = serializers.CharField(required=False)
    endDate = serializers.CharField(required=False)


class ReferenceOutMixin(serializers.Serializer):
    id = serializers.CharField()
    href = serializers.CharField()
    name = serializers.CharField(required=False)
    referenceType = enum_field(choices=models.ReferenceType.choices, required=False)
    referenceState = enum_field(choices=models.ReferenceState.choices, required=False)
    consumerName = serializers.CharField(required=False)
    configItemId = serializers.CharField(required=False)
    configItemName = serializers.CharField(required=False)
    configItemDisplayName = serializers.CharField(required=False)


class UIMResourceSerializer(WireNamesMixin, serializers.Serializer):
    wire_names = {"type": "@type", "base_type": "@baseType"}

    id = serializers.CharField()
    href = serializers.CharField()
    type = enum_field(choices=models.ResourceType.choices)
    base_type = enum_field(choices=["PhysicalResource", "LogicalResource"])
    name = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    lifecycleState = enum_field(choices=models.LifecycleState.choices, required=False)
    lifecycleSubState = enum_field(choices=models.AssignmentState.choices, required=False)
    resourceStatus = enum_field(choices=models.ResourceStatus.choices, required=False)
    resourceSpecification = UIMSpecificationSerializer(required=False)


class UIMSupportingResourceSerializer(WireNamesMixin, ReferenceOutMixin):
    wire_names = {"referred_type": "@referredType"}

    referred_type = enum_field(choices=models.ResourceType.choices)
    assignmentState = enum_field(choices=models.AssignmentState.choices, required=False)
    expandResource = UIMResourceSerializer(required=False, help_text="The resource itself, from depth=1.")


class UIMRelatedPartySerializer(ReferenceOutMixin):
    role = serializers.CharField(required=False)
    partySpecification = UIMPartySpecificationRefSerializer(required=False)


class UIMPlaceSerializer(WireNamesMixin, ReferenceOutMixin):
    wire_names = {"referred_type": "@referredType"}

    referred_type = enum_field(choices=models.PlaceType.choices)
    role = serializers.CharField(required=False)
    latitude = serializers.CharField(required=False)
    longitude = serializers.CharField(required=False)
    assignmentState = enum_field(choices=models.AssignmentState.choices, required=False)


class UIMServiceCharacteristicOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    valueType = enum_field(choices=models.ValueType.choices, required=False)
    value = serializers.JSONField(allow_null=True)
    serviceName = serializers.CharField(required=False)
    serviceSpecName = serializers.CharField(required=False)
    configItemId = serializers.CharField(required=False)
    configItemName = serializers.CharField(required=False)
    configItemDisplayName = serializers.CharField(required=False)
    configItemPath = serializers.CharField(required=False)


class UIMServiceRelationshipSerializer(serializers.Serializer):
    relationshipType = serializers.CharField()
    service = serializers.DictField(help_text="A link {id, href, @type}, or the whole service when expanded.")


class UIMServiceSerializer(serializers.Serializer):
    """A service as the API renders it (attributes selected with ``fields`` may be missing)."""

    id = serializers.CharField()
    href = serializers.CharField()
    businessInteraction = UIMBusinessInteractionRefSerializer(required=False)
    category = enum_field(choices=models.ServiceCategory.choices, required=False)
    description = serializers.CharField(required=False)
    effectiveDate = serializers.CharField(required=False)
    endDate = serializers.CharField(required=False)
    externalIdentity = UIMExternalIdentitySerializer(required=False)
    hasStarted = serializers.BooleanField(required=False)
    isServiceEnabled = serializers.BooleanField(required=False)
    name = serializers.CharField(required=False)
    place = UIMPlaceSerializer(many=True, required=False)
    relatedParty = UIMRelatedPartySerializer(many=True, required=False)
    serviceCharacteristic = UIMServiceCharacteristicOutSerializer(many=True, required=False)
    serviceDate = serializers.CharField(required=False)
    serviceRelationship = UIMServiceRelationshipSerializer(many=True, required=False)
    serviceSpecification = UIMSpecificationSerializer(required=False)
    serviceType = serializers.CharField(required=False)
    startDate = serializers.CharField(required=False)
    state = enum_field(choices=models.ServiceState.choices, required=False)
    supportingResource = UIMSupportingResourceSerializer(many=True, required=False)
    supportingService = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="Links {id, href, name, @type}, or whole services."
    )


class UIMBundleSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The parent business interaction's id.")
    state = enum_field(choices=models.InteractionState.choices)
    href = serializers.CharField()
    effectiveDate = serializers.CharField(required=False)
    items = UIMServiceSerializer(many=True)
