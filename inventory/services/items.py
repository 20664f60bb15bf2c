"""What a bundle request says, in the inventory's terms: the typed arguments of ``bundle_create`` and
``bundle_update``. Each door builds them (the UIM API's serializers, the demo loader, tests); no service reads a
vendor's JSON.

Names are the models' (``service_spec_name``, ``party_specification_id``...). An ``Invalid`` about one of them
names its path in these terms (``items[0].end_date``, ``items[0].characteristics[1].service_spec_name``); the UIM
door renames the path for the wire.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Kinds of entity a request names (``EntityName.kind``).
SPECIFICATION, PARTY, RESOURCE, PLACE, SERVICE = "specification", "party", "resource", "place", "service"


@dataclass(frozen=True)
class EntityName:
    """An entity a request names by id, looked up (one query per kind) before anything is written.

    ``named_type`` is what the request calls it (a resource's or place's type, a specification's entity class),
    which a 404 repeats when it is one of the UIM entity classes."""

    kind: str
    entity_id: str
    named_type: str = ""


@dataclass(frozen=True, kw_only=True)
class Characteristic:
    """A characteristic of the item, or of the supporting service ``service_name`` names (made if new, with the
    specification ``service_spec_name``)."""

    name: str
    value: Any
    value_type: str = ""
    service_name: str = ""
    service_spec_name: str = ""
    config_item_id: str = ""
    config_item_name: str = ""
    config_item_display_name: str = ""
    config_item_path: str = ""


@dataclass(frozen=True, kw_only=True)
class _Reference:
    """What every reference from a service carries; ``consumer_name`` names the supporting service that consumes
    it (any other name: the item itself)."""

    reference_type: str = ""
    consumer_name: str = ""
    config_item_id: str = ""
    config_item_name: str = ""
    config_item_display_name: str = ""


@dataclass(frozen=True, kw_only=True)
class ResourceRef(_Reference):
    resource_id: str
    resource_type: str = ""
    assignment_state: str = ""  # empty: pending assignment


@dataclass(frozen=True, kw_only=True)
class PartyRef(_Reference):
    party_id: str
    role: str = ""
    party_specification_id: str = ""


@dataclass(frozen=True, kw_only=True)
class PlaceRef(_Reference):
    place_id: str
    place_type: str = ""
    role: str = ""
    assignment_state: str = ""


@dataclass(frozen=True, kw_only=True)
class Relationship:
    """The item relates to an existing service (``relies-on``...)."""

    service_id: str
    relationship_type: str


@dataclass(frozen=True, kw_only=True)
class ExternalIdentity:
    """How another system knows the service. Given, it replaces all four (an empty one clears them)."""

    arrangement: str = ""
    management_domain: str = ""
    name: str = ""
    object_id: str = ""

    def service_fields(self) -> dict[str, str]:
        """As the service's fields: ``external_arrangement``..."""
        return {f"external_{field.name}": getattr(self, field.name) for field in dataclasses.fields(self)}


@dataclass(frozen=True, kw_only=True)
class NewItem:
    """One item of a new bundle: a customer-facing service of ``specification_id`` and what it carries.

    Empty or ``None`` values take the defaults: category CFS, the specification's service type, start now, the
    bundle's effective date."""

    name: str
    state: str
    specification_id: str
    specification_type: str = ""
    description: str = ""
    category: str = ""
    service_type: str = ""
    start_date: datetime | None = None
    end_date: datetime | None = None
    effective_date: datetime | None = None
    external_identity: ExternalIdentity | None = None
    resources: tuple[ResourceRef, ...] = ()
    parties: tuple[PartyRef, ...] = ()
    places: tuple[PlaceRef, ...] = ()
    characteristics: tuple[Characteristic, ...] = ()
    relationships: tuple[Relationship, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ItemUpdate:
    """A change to one item (service ``service_id``) of an open bundle. ``None`` leaves a value as it is; a list
    replaces the stored one (of the item and of its supporting services). ``state`` and ``relationships`` cannot
    change: given, they must restate what is stored."""

    service_id: str
    name: str | None = None
    description: str | None = None
    external_identity: ExternalIdentity | None = None
    resources: tuple[ResourceRef, ...] | None = None
    parties: tuple[PartyRef, ...] | None = None
    places: tuple[PlaceRef, ...] | None = None
    characteristics: tuple[Characteristic, ...] | None = None
    state: str | None = None
    relationships: tuple[Relationship, ...] | None = None
