"""Render bundles and services in the UIM wire shape, with ``fields``, ``expand`` and ``depth``.

What a rendering reads is a :class:`~inventory.selectors.ServiceGraph`, loaded level by level: level 0 is what
was asked for, level k+1 the services that level k embeds. Each level costs one query (its links); then one query
loads every service met and one per kind of row their rendering merges, whatever the number of items (a bundle at
depth 2: at most nine queries). A create renders from the rows it wrote and loads only what it did not write.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC

from core.wire.links import public_base_url

from ..models import BusinessInteraction, Service
from ..selectors import ServiceGraph

SERVICE_LINK_KINDS = ("serviceRelationship", "supportingService")
SERVICE_ATTRIBUTES = (
    "id",
    "href",
    "businessInteraction",
    "category",
    "description",
    "effectiveDate",
    "endDate",
    "externalIdentity",
    "hasStarted",
    "isServiceEnabled",
    "name",
    "place",
    "relatedParty",
    "serviceCharacteristic",
    "serviceDate",
    "serviceOrderItem",
    "serviceRelationship",
    "serviceSpecification",
    "serviceType",
    "startDate",
    "state",
    "supportingResource",
    "supportingService",
)


def wire_datetime(value) -> str | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def compact(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


# Rows rendered attribute by attribute, under the camel case of their field names, in this order.
CONFIG_ITEM_FIELDS = ("config_item_id", "config_item_name", "config_item_display_name")
REFERENCE_FIELDS = ("reference_type", "consumer_name", "reference_state", *CONFIG_ITEM_FIELDS)
CHARACTERISTIC_FIELDS = ("name", "value_type", "value", "service_name", "service_spec_name", *CONFIG_ITEM_FIELDS)
EXTERNAL_IDENTITY_FIELDS = ("external_arrangement", "external_management_domain", "external_name", "external_object_id")


def _wire(row, names) -> dict:
    return {re.sub(r"_([a-z])", lambda m: m[1].upper(), name): getattr(row, name) for name in names}


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


@dataclass
class Links:
    """Absolute hrefs, under the public base URL (``core.wire.links``), for the API version served."""

    root: str  # https://host/prefix/InventoryRSOpenAPI/
    version: str

    @classmethod
    def at(cls, base: str, version: str) -> "Links":
        return cls(f"{base}InventoryRSOpenAPI/", version)

    @classmethod
    def for_request(cls, request, version: str) -> "Links":
        return cls.at(public_base_url(request), version)

    def bundle(self, pk) -> str:
        return f"{self.root}serviceInventoryManagement/{self.version}/bundle/{pk}"

    def service(self, pk) -> str:
        return f"{self.root}serviceInventoryManagement/{self.version}/service/{pk}"

    def specification(self, pk) -> str:
        return f"{self.root}specification/{pk}"

    def party(self, pk) -> str:
        return f"{self.root}party/{pk}"

    def place(self, pk) -> str:
        return f"{self.root}place/{pk}"

    def resource(self, resource) -> str:
        return f"{self.root}{_lower_camel(resource.type)}/{resource.pk}"


@dataclass
class ServiceRenderer:
    links: Links
    depth: int = 0
    expand: frozenset = frozenset()
    fields: tuple = ()
    graph: ServiceGraph = field(default_factory=ServiceGraph)

    # --- loading ---------------------------------------------------------------------------------------

    def _expands(self, remaining: int, top: bool, kind: str) -> bool:
        return remaining > 0 or (top and kind in self.expand)

    def load(self, ids) -> None:
        """Load the asked services and, level by level, those they embed; then every service met and the rows
        of those rendered and of their supporting services (merged into their lists)."""
        graph = self.graph
        level, remaining, top = {int(i) for i in ids}, self.depth, True
        met, with_rows = set(level), set()
        while level:
            graph.load_links(level)
            following = set()
            for pk in level:
                supporting = [other for _, other in graph.supporting[pk]]
                with_rows.update((pk, *supporting))
                met.update(supporting)
                if self._expands(remaining, top, "serviceRelationship"):
                    following.update(related for _, related in graph.relationships[pk])
                if self._expands(remaining, top, "supportingService"):
                    following.update(supporting)
            met.update(following)
            # Each level embeds one less; a non-top level at depth 0 embeds nothing, so this ends.
            remaining, top = max(remaining - 1, 0), False
            level = following
        graph.load_services(met)
        graph.load_rows(with_rows)

    # --- rendering -------------------------------------------------------------------------------------

    def render_many(self, ids) -> list[dict]:
        self.load(ids)
        services = self.graph.services
        return [self.render(services[int(pk)], self.depth, True) for pk in ids if int(pk) in services]

    def link(self, service_id, name: str | None = None) -> dict:
        link = {"id": str(service_id), "href": self.links.service(service_id), "name": name, "@type": "Service"}
        return compact(link) | {"@referredType": "Service"}  # TMF638 v4's ServiceRef names what it refers to

    def specification(self, spec) -> dict:
        return compact(
            {
                "id": spec.pk,
                "href": self.links.specification(spec.pk),
                "name": spec.name,
                "version": spec.version,
                "entityType": spec.entity_type,
                "description": spec.description,
                "startDate": wire_datetime(spec.start_date),
                "endDate": wire_datetime(spec.end_date),
            }
        )

    def resource(self, resource) -> dict:
        return compact(
            {
                "id": resource.pk,
                "href": self.links.resource(resource),
                "@type": resource.type,
                "@baseType": resource.base_type,
                "name": resource.name,
                "description": resource.description,
                "lifecycleState": resource.lifecycle_state,
                "lifecycleSubState": resource.lifecycle_sub_state,
                "resourceStatus": resource.status,
                "resourceSpecification": self.specification(resource.specification) if resource.specification else None,
            }
        )

    def resource_ref(self, ref, remaining: int) -> dict:
        resource = ref.resource
        return compact(
            {
                "id": resource.pk,
                "href": self.links.resource(resource),
                "@referredType": resource.type,
                "name": resource.name,
                "assignmentState": ref.assignment_state,
                **_wire(ref, REFERENCE_FIELDS),
                "expandResource": self.resource(resource) if remaining > 0 else None,
            }
        )

    def party_ref(self, ref) -> dict:
        party = ref.party
        return compact(
            {
                "id": party.pk,
                "href": self.links.party(party.pk),
                "@referredType": party.referred_type or "Party",  # TMF638 v4: required on a RelatedParty
                "name": party.name,
                "role": ref.role or party.role,
                **_wire(ref, REFERENCE_FIELDS),
                "partySpecification": {"id": ref.party_specification_id} if ref.party_specification_id else None,
            }
        )

    def place_ref(self, ref) -> dict:
        place = ref.place
        return compact(
            {
                "id": place.pk,
                "href": self.links.place(place.pk),
                "@referredType": place.referred_type,
                "name": place.name,
                "role": ref.role,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "assignmentState": ref.assignment_state,
                **_wire(ref, REFERENCE_FIELDS),
            }
        )

    @staticmethod
    def characteristic(char) -> dict:
        # The value is always rendered, as the schema requires: "", [], {} (and a null stored by staff) included.
        return compact(_wire(char, (*CHARACTERISTIC_FIELDS, "config_item_path"))) | {"value": char.value}

    def _embedded(self, service_id, remaining: int, top: bool, kind: str, name: str | None = None) -> dict:
        if self._expands(remaining, top, kind) and int(service_id) in self.graph.services:
            return self.render(self.graph.services[int(service_id)], max(remaining - 1, 0), False, nested=True)
        return self.link(service_id, name)

    def render(self, service: Service, remaining: int, top: bool, nested: bool = False) -> dict:
        graph = self.graph
        supporting = graph.supporting[service.pk]
        tree = [service.pk, *(pk for _, pk in supporting)]

        def merged(kind):
            rows = [row for member in tree for row in graph.rows[member][kind]]
            return sorted(rows, key=lambda row: row.position)

        interaction = service.business_interaction
        data = {
            "id": str(service.pk),
            "href": self.links.service(service.pk),
            "businessInteraction": {"id": str(interaction.pk), "state": interaction.state} if interaction else None,
            "category": service.category,
            "description": service.description,
            "hasStarted": service.has_started,
            "isServiceEnabled": service.is_service_enabled,
            "name": service.name,
            "serviceDate": wire_datetime(service.service_date),
            "startDate": wire_datetime(service.start_date),
            "endDate": wire_datetime(service.end_date),
            "externalIdentity": compact(_wire(service, EXTERNAL_IDENTITY_FIELDS)),
            "place": [self.place_ref(ref) for ref in merged("place_refs")],
            "relatedParty": [self.party_ref(ref) for ref in merged("party_refs")],
            "serviceCharacteristic": [self.characteristic(c) for c in merged("characteristics")],
            "serviceRelationship": [
                {
                    "relationshipType": relationship_type,
                    "service": self._embedded(related_id, remaining, top, "serviceRelationship"),
                }
                for relationship_type, related_id in graph.relationships[service.pk]
            ],
            "serviceType": service.service_type,
            "supportingResource": [self.resource_ref(ref, remaining) for ref in merged("resource_refs")],
            "supportingService": [
                self._embedded(pk, remaining, top, "supportingService", graph.services[pk].name) for _, pk in supporting
            ],
            "serviceSpecification": self.specification(service.specification),
            "state": service.state,
            "effectiveDate": wire_datetime(service.effective_date),
        }
        data = compact(data)
        if top and self.fields:
            data = {k: v for k, v in data.items() if k in ("id", "href") or k in self.fields}
        return data


def render_bundle(bundle: BusinessInteraction, item_ids: list[int], renderer: ServiceRenderer) -> dict:
    return compact(
        {
            "id": str(bundle.pk),
            "state": bundle.state,
            "href": renderer.links.bundle(bundle.pk),
            "effectiveDate": wire_datetime(bundle.effective_date),
        }
    ) | {"items": renderer.render_many(item_ids)}
