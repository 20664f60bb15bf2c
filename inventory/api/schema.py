"""Shapes the OpenAPI document shows for the responses ``api/render.py`` produces; these classes only describe.

Requests are documented by the serializers that validate them (``api/serializers.py``). Each component of the
document is named after its class (``UIMServiceSerializer`` → ``UIMService``).
"""

from rest_framework import serializers

from .. import models
from ..choices import ENTITY_TYPES
from .serializers import UIMExternalIdentitySerializer, UIMPartySpecificationRefSerializer, WireNamesMixin, enum_field


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


class UIMRelatedPartySerializer(WireNamesMixin, ReferenceOutMixin):
    wire_names = {"referred_type": "@referredType"}

    referred_type = serializers.CharField(help_text="The party's class (TMF638 v4 requires it): Party by default.")
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
    service = serializers.DictField(
        help_text="A link {id, href, @type, @referredType: Service}, or the whole service when expanded."
    )


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
        child=serializers.DictField(),
        required=False,
        help_text="Links {id, href, name, @type, @referredType: Service}, or whole services.",
    )


class UIMBundleSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The parent business interaction's id.")
    state = enum_field(choices=models.InteractionState.choices)
    href = serializers.CharField()
    effectiveDate = serializers.CharField(required=False)
    items = UIMServiceSerializer(many=True)
