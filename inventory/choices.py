"""The inventory's vocabulary: the UIM value sets (entity types, states, reference kinds) and the state groups
the services reason with. Values are the wire values; the API, the admin and the analyst lists share them."""

from django.db import models

# The UIM entity classes (``entityType`` of a specification or of a 404): the one list, also the UIM error
# envelope's (``inventory/api/uim.py``).
ENTITY_TYPES = (
    "CustomObject", "CustomNetworkAddress", "DeviceInterface", "Equipment", "EquipmentHolder", "FlowIdentifier",
    "GeographicLocation", "GeographicSite", "GeographicAddress", "PropertyLocation", "LogicalDevice",
    "LogicalDeviceAccount", "MediaStream", "Network", "PhysicalConnector", "PhysicalDevice", "PhysicalPort", "Pipe",
    "Service", "TelephoneNumber", "IPV4Address", "IPV6Address", "IPSubnet", "NetworkAddressDomain", "Connectivity",
    "Party",
)  # fmt: skip
ENTITY_TYPE_CHOICES = [(value, value) for value in ENTITY_TYPES]

NAME_MAX = 255
ID_MAX = 100


class ResourceType(models.TextChoices):
    DEVICE_INTERFACE = "DeviceInterface"
    EQUIPMENT = "Equipment"
    EQUIPMENT_HOLDER = "EquipmentHolder"
    LOGICAL_DEVICE = "LogicalDevice"
    LOGICAL_DEVICE_ACCOUNT = "LogicalDeviceAccount"
    PHYSICAL_CONNECTOR = "PhysicalConnector"
    PHYSICAL_DEVICE = "PhysicalDevice"
    PHYSICAL_PORT = "PhysicalPort"
    TELEPHONE_NUMBER = "TelephoneNumber"
    IPV4_ADDRESS = "IPV4Address"
    IPV6_ADDRESS = "IPV6Address"
    IP_NETWORK = "IPNetwork"
    IP_SUBNET = "IPSubnet"
    NETWORK_ADDRESS_DOMAIN = "NetworkAddressDomain"
    FLOW_IDENTIFIER = "FlowIdentifier"
    CUSTOM_OBJECT = "CustomObject"
    CUSTOM_NETWORK_ADDRESS = "CustomNetworkAddress"
    PIPE = "Pipe"


PHYSICAL_RESOURCE_TYPES = {
    ResourceType.EQUIPMENT,
    ResourceType.EQUIPMENT_HOLDER,
    ResourceType.PHYSICAL_CONNECTOR,
    ResourceType.PHYSICAL_DEVICE,
    ResourceType.PHYSICAL_PORT,
}


class LifecycleState(models.TextChoices):
    END_OF_LIFE = "END_OF_LIFE"
    INSTALLED = "INSTALLED"
    PENDING_INSTALL = "PENDING_INSTALL"
    PENDING_REMOVE = "PENDING_REMOVE"
    PENDING_UNAVAILABLE = "PENDING_UNAVAILABLE"
    PENDING_AVAILABLE = "PENDING_AVAILABLE"
    PLANNED = "PLANNED"
    UNAVAILABLE = "UNAVAILABLE"
    PENDING_DISCONNECT = "PENDING_DISCONNECT"
    DISCONNECTED = "DISCONNECTED"


# A service cannot be activated on a resource in one of these lifecycle states.
UNUSABLE_LIFECYCLE_STATES = {
    LifecycleState.END_OF_LIFE,
    LifecycleState.UNAVAILABLE,
    LifecycleState.DISCONNECTED,
    LifecycleState.PENDING_REMOVE,
}


class ResourceStatus(models.TextChoices):
    STANDBY = "Standby"
    ALARM = "Alarm"
    AVAILABLE = "Available"
    RESERVED = "Reserved"
    UNKNOWN = "Unknown"
    SUSPENDED = "Suspended"


class AssignmentState(models.TextChoices):
    PENDING_ASSIGN = "PENDING_ASSIGN"
    ASSIGNED = "ASSIGNED"
    PENDING_UNASSIGN = "PENDING_UNASSIGN"
    UNASSIGNED = "UNASSIGNED"
    DISCONNECTED = "DISCONNECTED"
    TRANSITIONAL = "TRANSITIONAL"
    PORTED = "PORTED"


class ReferenceState(models.TextChoices):
    PENDING_REFERENCE = "PENDING_REFERENCE"
    REFERENCED = "REFERENCED"
    PENDING_UNREFERENCE = "PENDING_UNREFERENCE"
    UNREFERENCED = "UNREFERENCED"


class ReferenceType(models.TextChoices):
    ASSOCIATION = "Association"
    ASSIGNMENT = "Assignment"
    REFERENCE = "Reference"
    RESOURCE_NETWORK_LOCATION = "ResourceNetworkLocation"
    RESOURCE_ASSOCIATION = "ResourceAssociation"


class PlaceType(models.TextChoices):
    GEOGRAPHIC_ADDRESS = "GeographicAddress"
    GEOGRAPHIC_LOCATION = "GeographicLocation"
    GEOGRAPHIC_SITE = "GeographicSite"
    PROPERTY_LOCATION = "PropertyLocation"
    NETWORK_ENTITY_CODE = "NetworkEntityCode"


class ServiceCategory(models.TextChoices):
    CFS = "CFS", "Customer facing"
    RFS = "RFS", "Resource facing"


class ServiceState(models.TextChoices):
    DESIGNED = "designed"
    INACTIVE = "inactive"
    ACTIVE = "active"
    TERMINATED = "terminated"
    PENDING_CANCEL = "pendingCancel"
    CANCELLED = "cancelled"
    PENDING_DISCONNECT = "pendingDisconnect"
    CANCEL_PENDING_DISCONNECT = "cancelPendingDisconnect"


class ValueType(models.TextChoices):
    ALPHANUMERIC = "ALPHANUMERIC"
    NUMERIC = "NUMERIC"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    OBJECT = "OBJECT"
    URL = "URL"


class ExternalArrangement(models.TextChoices):
    LEASED_IN = "LEASED_IN"
    FEDERATED = "FEDERATED"
    LEASED_OUT = "LEASED_OUT"
    SHARED = "SHARED"


class InteractionState(models.TextChoices):
    # Labels are the wire values: operators read the same states in the admin as clients in the API.
    CREATED = "CREATED", "CREATED"
    IN_PROGRESS = "IN_PROGRESS", "IN_PROGRESS"
    APPROVED = "APPROVED", "APPROVED"
    ISSUED = "ISSUED", "ISSUED"
    COMPLETED = "COMPLETED", "COMPLETED"
    CANCELLED = "CANCELLED", "CANCELLED"
    FAILED = "FAILED", "FAILED"


# CREATED is the parent's state right after create (the spec's example); it counts as IN_PROGRESS.
OPEN_STATES = (InteractionState.CREATED, InteractionState.IN_PROGRESS)
RUNNING_STATES = (*OPEN_STATES, InteractionState.APPROVED, InteractionState.ISSUED)
