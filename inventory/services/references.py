"""Reference resolution: every entity a bundle request names is loaded in one query per kind, or the request
is refused with a 404 naming the first unknown one (its UIM entity type and id)."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..choices import ENTITY_TYPES
from ..errors import reference_not_found
from ..models import Party, Place, Resource, Service, Specification
from ..selectors import as_pk
from .items import PARTY, PLACE, RESOURCE, SERVICE, SPECIFICATION, EntityName, ItemUpdate, NewItem

# Types a request may give that are not UIM entity classes, mapped to the nearest class (for a 404's entityType).
_ENTITY_TYPE_ALIASES = {"IPNetwork": "Network", "NetworkEntityCode": "GeographicLocation"}
# kind -> (model, label in the 404 message, entity type of the 404 when the request gives none that is a class,
# the attribute of ``Refs``)
_KINDS = {
    SPECIFICATION: (Specification, "Specification", "Service", "specifications"),
    PARTY: (Party, "Party", "Party", "parties"),
    RESOURCE: (Resource, "Resource", "LogicalDevice", "resources"),
    PLACE: (Place, "Place", "GeographicAddress", "places"),
    SERVICE: (Service, "Service", "Service", "services"),
}


@dataclass
class Refs:
    """The entities a request names, by kind and id."""

    specifications: dict = field(default_factory=dict)
    parties: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)
    places: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)


def entity_type(value, default: str) -> str:
    """The UIM entity class a request's type names (for a 404's ``entityType``), or ``default``."""
    if not isinstance(value, str):
        return default
    if value in ENTITY_TYPES:
        return value
    return _ENTITY_TYPE_ALIASES.get(value, default)


def names_in(item: NewItem | ItemUpdate) -> Iterator[EntityName]:
    """Every entity one item names. An update's relationships are only restated (checked against the stored
    ones), never looked up."""
    if isinstance(item, NewItem):
        yield EntityName(SPECIFICATION, item.specification_id, item.specification_type)
    for char in item.characteristics or ():
        if char.service_spec_name:
            yield EntityName(SPECIFICATION, char.service_spec_name)
    for ref in item.resources or ():
        yield EntityName(RESOURCE, ref.resource_id, ref.resource_type)
    for ref in item.parties or ():
        yield EntityName(PARTY, ref.party_id)
    for ref in item.places or ():
        yield EntityName(PLACE, ref.place_id, ref.place_type)
    if isinstance(item, NewItem):
        for rel in item.relationships:
            yield EntityName(SERVICE, rel.service_id)


def _load(kind: str, ids: dict[str, str]) -> dict:
    """The entities of one kind by id; ``NotFound`` for the first id that names none."""
    model, label, default_type, _ = _KINDS[kind]
    if kind == SERVICE:  # numeric ids: an id that cannot be a primary key names nothing
        found = model.objects.only("id", "name").in_bulk([pk for i in ids if (pk := as_pk(i)) is not None])
        found = {str(pk): service for pk, service in found.items()}
    elif kind == RESOURCE:  # with the specification a rendering of the resource shows
        found = model.objects.select_related("specification").in_bulk(list(ids))
    else:
        found = model.objects.in_bulk(list(ids))
    for entity_id, named_type in ids.items():
        if entity_id not in found:
            raise reference_not_found(label, entity_type(named_type, default_type), entity_id)
    return found


def resolve_references(names: Iterable[EntityName], known: Refs | None = None) -> Refs:
    """Load every entity named, one query per kind; ``NotFound`` naming the first unknown one (kinds in the
    order they are first named, ids in the order named). Entities ``known`` (loaded by
    ``bundle_references_check`` in this request) are taken from it, not loaded again."""
    wanted: dict[str, dict[str, str]] = {}
    for name in names:
        wanted.setdefault(name.kind, {}).setdefault(name.entity_id, name.named_type)
    refs = Refs()
    for kind, ids in wanted.items():
        attribute = _KINDS[kind][3]
        have = getattr(known, attribute) if known is not None else {}
        missing = {entity_id: named for entity_id, named in ids.items() if entity_id not in have}
        found = _load(kind, missing) if missing else {}
        setattr(
            refs,
            attribute,
            {entity_id: found[entity_id] if entity_id in found else have[entity_id] for entity_id in ids},
        )
    return refs


def bundle_references_check(*, names: Iterable[EntityName]) -> Refs:
    """The entities ``names`` names; ``NotFound`` for the first unknown one.

    The UIM door runs it on the well-formed ids of a request before validating it, so that a request naming an
    unknown entity is answered 404 whatever else is wrong with it; it hands what it loaded to ``bundle_create``
    (``references=``), which loads only what the typed items name besides."""
    return resolve_references(names)
