"""Reads: services with everything their rendering needs, in a fixed number of queries whatever their count.

A rendering reads a :class:`ServiceGraph`: the services, their relationships and supporting services (in their
stored order) and their own rows. The UIM door fills it level by level of ``depth`` (one query per level for the
links, then one for the services and one per kind of row, whatever the number of services), or, on a create,
from the rows the create just wrote (``bundle_create``'s ``written``).
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import CharField, Prefetch, Value, prefetch_related_objects

from .models import (
    BusinessInteraction,
    Service,
    ServiceCharacteristic,
    ServicePartyRef,
    ServicePlaceRef,
    ServiceRelationship,
    ServiceResourceRef,
    SupportingService,
)

# A service's own rows by model (and the name of their related manager), rendered merged with its supporting
# services'.
_ROW_MODELS = {
    ServiceCharacteristic: "characteristics",
    ServiceResourceRef: "resource_refs",
    ServicePartyRef: "party_refs",
    ServicePlaceRef: "place_refs",
}
ROW_KINDS = tuple(_ROW_MODELS.values())
_RELATIONSHIP, _SUPPORTING = "relationship", "supporting"


def _row_prefetches() -> list:
    return [
        Prefetch("characteristics", queryset=ServiceCharacteristic.objects.all()),
        Prefetch(
            "resource_refs",
            queryset=ServiceResourceRef.objects.select_related("resource", "resource__specification"),
        ),
        Prefetch("party_refs", queryset=ServicePartyRef.objects.select_related("party")),
        Prefetch("place_refs", queryset=ServicePlaceRef.objects.select_related("place")),
    ]


def _services():
    return Service.objects.select_related("specification", "business_interaction")


@dataclass
class ServiceGraph:
    """Services by id and what their rendering reads: each one's relationships ``(type, related id)`` and
    supporting services ``(link name, supporting id)`` in their stored order, and its own rows by kind
    (``ROW_KINDS``), in their stored order. A service whose links or rows are not here yet has none loaded."""

    services: dict[int, Service] = field(default_factory=dict)
    items: list[int] = field(default_factory=list)  # a create's items, in order
    relationships: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    supporting: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    rows: dict[int, dict[str, list]] = field(default_factory=dict)

    def load_links(self, ids) -> None:
        """The relationships and supporting services of the services ``ids`` whose links are not loaded: one
        query (both tables, ``UNION ALL``)."""
        ids = {int(i) for i in ids} - set(self.relationships)
        if not ids:
            return
        kind = CharField()
        relationships = (
            ServiceRelationship.objects.filter(service_id__in=ids)
            .order_by()
            .values_list("service_id", "id", "related_id", "relationship_type", Value(_RELATIONSHIP, kind))
        )
        supporting = (
            SupportingService.objects.filter(service_id__in=ids)
            .order_by()
            .values_list("service_id", "id", "supporting_id", "name", Value(_SUPPORTING, kind))
        )
        for pk in ids:
            self.relationships[pk], self.supporting[pk] = [], []
        # Each table's order (``Meta.ordering``: service, then id), kept per table.
        for service_id, _id, other_id, label, which in sorted(relationships.union(supporting, all=True)):
            target = self.relationships if which == _RELATIONSHIP else self.supporting
            target[service_id].append((label, other_id))

    def load_services(self, ids) -> None:
        """The services ``ids`` not loaded yet, with their specification and interaction: one query."""
        missing = {int(i) for i in ids} - set(self.services)
        if missing:
            self.services.update((s.pk, s) for s in _services().filter(pk__in=missing))

    def load_rows(self, ids) -> None:
        """The own rows of the loaded services ``ids`` whose rows are not loaded: one query per kind of row."""
        services = [self.services[pk] for pk in {int(i) for i in ids} - set(self.rows) if pk in self.services]
        prefetch_related_objects(services, *_row_prefetches())
        for service in services:
            self.rows[service.pk] = {kind: list(getattr(service, kind).all()) for kind in ROW_KINDS}

    def add_written(self, items: list[Service], links: list[SupportingService], rows: list) -> None:
        """What a create just wrote, as a read would load it: its ``items`` (in order), the supporting services
        ``links`` link them to, and their relationships and own ``rows`` (each kind in the order written, which
        is the stored order)."""
        for service in [*items, *(link.supporting for link in links)]:
            self.services[service.pk] = service
            self.relationships[service.pk], self.supporting[service.pk] = [], []
            self.rows[service.pk] = {kind: [] for kind in ROW_KINDS}
        self.items += [item.pk for item in items]
        for link in links:
            self.supporting[link.service_id].append((link.name, link.supporting_id))
        for row in rows:
            if isinstance(row, ServiceRelationship):
                self.relationships[row.service_id].append((row.relationship_type, row.related_id))
            else:
                self.rows[row.service_id][_ROW_MODELS[type(row)]].append(row)
        stored_json_values([row for row in rows if isinstance(row, ServiceCharacteristic)])


def _json_exact(value) -> bool:
    """Whether every JSON store gives ``value`` back as it was sent: PostgreSQL's ``jsonb`` reorders an object's
    keys and stores numbers as decimals (``1e300`` comes back an integer)."""
    if isinstance(value, list):
        return all(_json_exact(v) for v in value)
    return value is None or isinstance(value, str | bool | int)


def stored_json_values(characteristics: list[ServiceCharacteristic]) -> None:
    """Give saved characteristics their values as the database gives them back (what a read renders): read again,
    in one query, those whose value a JSON store may change (none on SQLite, which stores the JSON text)."""
    changing = {c.pk: c for c in characteristics if not _json_exact(c.value)}
    if changing and connection.vendor != "sqlite":
        for pk, value in ServiceCharacteristic.objects.filter(pk__in=changing).values_list("pk", "value"):
            changing[pk].value = value


def as_pk(value) -> int | None:
    """A path or body id as a primary key, or None if it cannot be one (not digits, beyond bigint)."""
    text = str(value)
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def bundle_get(bundle_id: str) -> BusinessInteraction | None:
    pk = as_pk(bundle_id)
    return None if pk is None else BusinessInteraction.objects.filter(pk=pk, parent__isnull=True).first()


def bundle_with_items(bundle_id: str) -> tuple[BusinessInteraction | None, list[Service]]:
    """The bundle and its items (its customer-facing services, in creation order, with their specification and
    interaction): one query, two for a bundle without items (or none)."""
    pk = as_pk(bundle_id)
    if pk is None:
        return None, []
    items = list(
        _services()
        .select_related("business_interaction__parent")
        .filter(business_interaction__parent_id=pk, business_interaction__parent__parent__isnull=True)
        .filter(supported_links__isnull=True)
        .order_by("business_interaction_id", "pk")
    )
    if not items:
        return bundle_get(bundle_id), []
    return items[0].business_interaction.parent, items
