"""The UIM bundle-service request in the bundle services' terms (``services/items.py``), and back: a validated wire
object becomes a ``NewItem`` / ``ItemUpdate`` (``new_item``, ``item_update``), and a service's ``Invalid`` gets its
field paths in wire names (``wire_invalid``). The serializers (``serializers.py``) validate; this module only
translates.
"""

import dataclasses
import re

from core.errors import Invalid

from ..services import (
    Characteristic,
    ExternalIdentity,
    ItemUpdate,
    NewItem,
    PartyRef,
    PlaceRef,
    Relationship,
    ResourceRef,
)


def _snake(name: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "_" + m[0].lower(), name).lstrip("_")


def _terms(cls, data: dict, **given):
    """One of the services' terms (``services/items.py``) from a validated wire object: each attribute the wire
    sends under the same words in camel case (``configItemId`` → ``config_item_id``, an empty value as ""), and
    ``given`` the others. A wire attribute with no such term (``href``, ``referenceState``) is not taken."""
    names = {field.name for field in dataclasses.fields(cls)} - set(given)
    return cls(**{_snake(key): value or "" for key, value in data.items() if _snake(key) in names}, **given)


def _resource(data: dict) -> ResourceRef:
    return _terms(ResourceRef, data, resource_id=data["id"], resource_type=data.get("@referredType") or "")


def _party(data: dict) -> PartyRef:
    specification = (data.get("partySpecification") or {}).get("id") or ""
    return _terms(PartyRef, data, party_id=data["id"], party_specification_id=specification)


def _place(data: dict) -> PlaceRef:
    return _terms(PlaceRef, data, place_id=data["id"], place_type=data.get("@referredType") or "")


def _relationship(data: dict) -> Relationship:
    return Relationship(service_id=str(data["service"]["id"]), relationship_type=data["relationshipType"])


def _external_identity(data: dict) -> ExternalIdentity | None:
    ext = data.get("externalIdentity")
    if ext is None:
        return None
    # The wire's "external" prefix is the term's class name: externalArrangement → arrangement.
    return _terms(ExternalIdentity, {key.removeprefix("external"): value for key, value in ext.items()})


# wire list -> (the item's attribute, builder of one element)
_ITEM_LISTS = {
    "supportingResource": ("resources", _resource),
    "relatedParty": ("parties", _party),
    "place": ("places", _place),
    "serviceCharacteristic": ("characteristics", lambda data: _terms(Characteristic, data, value=data.get("value"))),
    "serviceRelationship": ("relationships", _relationship),
}


def _lists(data: dict) -> dict:
    """The lists an item carries (a list not sent is left out: a create takes none, an update keeps the stored)."""
    return {name: tuple(build(e) for e in data[key]) for key, (name, build) in _ITEM_LISTS.items() if key in data}


def new_item(data: dict) -> NewItem:
    spec = data["serviceSpecification"]
    return _terms(
        NewItem,
        data,
        specification_id=spec["id"],
        specification_type=spec.get("entityType") or "",
        external_identity=_external_identity(data),
        **_lists(data),
    )


def item_update(data: dict) -> ItemUpdate:
    """A term not sent stays ``None``: the stored value is kept."""
    return _terms(
        ItemUpdate, data, service_id=str(data["id"]), external_identity=_external_identity(data), **_lists(data)
    )


# The items' terms (``services/items.py``) in an ``Invalid``'s path, as the wire says them: a list by its wire name,
# any other term in camel case (``end_date`` → ``endDate``).
_WIRE_NAMES = {"service_id": "id"} | {name: key for key, (name, _) in _ITEM_LISTS.items()}


def _camel(name: str) -> str:
    return _WIRE_NAMES.get(name) or re.sub(r"_([a-z])", lambda m: m[1].upper(), name)


def wire_invalid(exc: Invalid) -> Invalid:
    """A bundle service's ``Invalid`` with its field paths in wire names (``items[0].end_date`` →
    ``items[0].endDate``)."""
    errors = [(re.sub(r"[a-z_]+", lambda m: _camel(m[0]), path or ""), text) for path, text in exc.errors]
    return Invalid(exc.message, code=exc.code, errors=errors, **exc.params)
