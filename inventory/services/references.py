"""Reference resolution: every entity a bundle request names is loaded in one query per kind, or the request
is refused with a 404 naming the first unknown one (its UIM entity type and id)."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..choices import ENTITY_TYPES
from ..errors import reference_not_found
from ..models import Party, Place, Resource, Service, Specification
from ..selectors import as_pk

# Wire names outside the UIM entity classes, mapped to the nearest class (for a 404's entityType).
_ENTITY_TYPE_ALIASES = {"IPNetwork": "Network", "NetworkEntityCode": "GeographicLocation"}
# kind -> (model, label in the 404 message)
_KINDS = {
    "specifications": (Specification, "Specification"),
    "parties": (Party, "Party"),
    "resources": (Resource, "Resource"),
    "places": (Place, "Place"),
    "services": (Service, "Service"),
}
# item list -> (kind, default entity type, whether the reference's @referredType names its entity type)
_REFERENCE_LISTS = {
    "supportingResource": ("resources", "LogicalDevice", True),
    "relatedParty": ("parties", "Party", False),
    "place": ("places", "GeographicAddress", True),
}


@dataclass
class Refs:
    """The entities a request names, by kind and wire id."""

    specifications: dict = field(default_factory=dict)
    parties: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)
    places: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)


def entity_type(value, default: str) -> str:
    """The UIM entity class a wire type names (for a 404's ``entityType``), or ``default``."""
    if not isinstance(value, str):
        return default
    if value in ENTITY_TYPES:
        return value
    return _ENTITY_TYPE_ALIASES.get(value, default)


def _named_in(item: dict) -> Iterator[tuple[str, str, str]]:
    """(kind, id, entity type) of every entity one item names."""
    spec = item.get("serviceSpecification")
    if spec:
        yield "specifications", spec["id"], entity_type(spec.get("entityType"), "Service")
    for char in item.get("serviceCharacteristic") or ():
        if char.get("serviceSpecName"):
            yield "specifications", char["serviceSpecName"], "Service"
    for key, (kind, default, typed) in _REFERENCE_LISTS.items():
        for ref in item.get(key) or ():
            yield kind, ref["id"], entity_type(ref.get("@referredType"), default) if typed else default
    for rel in item.get("serviceRelationship") or ():
        yield "services", rel["service"]["id"], "Service"


def _load(kind: str, ids: dict[str, str]) -> dict:
    """The entities of one kind by wire id; ``NotFound`` for the first id that names none."""
    model, label = _KINDS[kind]
    if kind == "services":  # numeric ids: a wire id that cannot be a primary key names nothing
        found = model.objects.only("id", "name").in_bulk([pk for i in ids if (pk := as_pk(i)) is not None])
        found = {str(pk): service for pk, service in found.items()}
    else:
        found = model.objects.in_bulk(list(ids))
    for entity_id, entity in ids.items():
        if entity_id not in found:
            raise reference_not_found(label, entity, entity_id)
    return found


def resolve_references(items: list[dict]) -> Refs:
    """Load every entity the items name, one query per kind; ``NotFound`` naming the first unknown one."""
    wanted: dict[str, dict[str, str]] = {}
    for item in items:
        for kind, entity_id, type_ in _named_in(item):
            wanted.setdefault(kind, {}).setdefault(entity_id, type_)
    refs = Refs()
    for kind, ids in wanted.items():
        setattr(refs, kind, _load(kind, ids))
    return refs


def _text_id(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if 0 < len(text) <= 255 and "\x00" not in text else None


def _id_refs(refs, *keys) -> list[dict]:
    """The well-formed references of a raw list, reduced to their id (and the given keys)."""
    if not isinstance(refs, list):
        return []
    return [
        {"id": _text_id(r["id"]), **{k: r.get(k) for k in keys}}
        for r in refs
        if isinstance(r, dict) and _text_id(r.get("id"))
    ]


def _sane_item(raw: dict) -> dict:
    """The references of a raw item that are well-formed enough to look up."""
    item: dict = {key: _id_refs(raw.get(key), "@referredType") for key in _REFERENCE_LISTS}
    spec = raw.get("serviceSpecification")
    if isinstance(spec, dict) and _text_id(spec.get("id")):
        item["serviceSpecification"] = {"id": _text_id(spec["id"]), "entityType": spec.get("entityType")}
    chars = raw.get("serviceCharacteristic")
    item["serviceCharacteristic"] = [
        {"serviceSpecName": _text_id(c["serviceSpecName"])}
        for c in (chars if isinstance(chars, list) else ())
        if isinstance(c, dict) and _text_id(c.get("serviceSpecName"))
    ]
    rels = raw.get("serviceRelationship")
    item["serviceRelationship"] = (
        [{"service": ref} for ref in _id_refs([r.get("service") for r in rels if isinstance(r, dict)])]
        if isinstance(rels, list)
        else []
    )
    return item


def bundle_references_check(*, raw_items) -> None:
    """``NotFound`` for the first unknown entity a raw (not yet validated) request names.

    Run before validation, so that a request naming an unknown entity is answered 404 whatever else is
    wrong with it: only well-formed ids are looked at, the rest is left to validation.
    """
    if not isinstance(raw_items, list):
        return
    resolve_references([_sane_item(raw) for raw in raw_items[:5000] if isinstance(raw, dict)])
