"""Bundle create and update: a parent interaction, one child interaction and one CFS per item, the supporting
services (RFS) the characteristics introduce, and the characteristics and references of each.

Items are the inventory's own terms (``services/items.py``: ``NewItem``, ``ItemUpdate``), built at each door.
Every write is set-based: one query per kind of row, whatever the item count.
"""

import dataclasses
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from core import changes
from core.errors import Invalid, InvalidState

from ..choices import OPEN_STATES, AssignmentState, InteractionState, ServiceCategory
from ..errors import BUNDLE_NOT_OPEN, NOT_UPDATABLE, service_not_found
from ..models import (
    BusinessInteraction,
    InteractionTransition,
    Service,
    ServiceCharacteristic,
    ServicePartyRef,
    ServicePlaceRef,
    ServiceRelationship,
    ServiceResourceRef,
    SupportingService,
    check_service_dates,
)
from ..selectors import ServiceGraph, as_pk
from .activation import bundle_request_activation
from .common import lock_bundle
from .items import Characteristic, ItemUpdate, NewItem
from .references import Refs, names_in, resolve_references

Item = NewItem | ItemUpdate
EXTERNAL_IDENTITY_FIELDS = ("external_arrangement", "external_management_domain", "external_name", "external_object_id")


# --- one item's rows ----------------------------------------------------------------------------------------


class _ItemTree:
    """A CFS and its supporting services by name, to route characteristics and references."""

    def __init__(self, index: int, cfs: Service, rfs_by_name: dict[str, Service]):
        self.index = index
        self.cfs = cfs
        self.rfs_by_name = rfs_by_name

    def target_for_characteristic(self, char: Characteristic) -> Service:
        name = char.service_name or self.cfs.name
        return self.cfs if name == self.cfs.name else self.rfs_by_name[name]

    def target_for_reference(self, ref) -> Service:
        return self.rfs_by_name.get(ref.consumer_name, self.cfs)

    @property
    def services(self) -> list[Service]:
        return [self.cfs, *self.rfs_by_name.values()]


def _row(model, term, **values):
    """A row of ``model``: ``values``, and the term's values that the model has a field of the same name for (the
    items' terms are named as the models' fields)."""
    names = {field.name for field in model._meta.concrete_fields} - set(values)
    return model(**{f.name: getattr(term, f.name) for f in dataclasses.fields(term) if f.name in names}, **values)


def _characteristic_rows(tree: _ItemTree, item: Item, refs: Refs) -> list:
    return [
        _row(ServiceCharacteristic, char, service=tree.target_for_characteristic(char), position=position)
        for position, char in enumerate(item.characteristics or ())
    ]


def _reference_row(model, tree: _ItemTree, ref, position: int, **values):
    return _row(model, ref, service=tree.target_for_reference(ref), position=position, **values)


def _resource_rows(tree: _ItemTree, item: Item, refs: Refs) -> list:
    return [
        _reference_row(
            ServiceResourceRef,
            tree,
            ref,
            position,
            resource=refs.resources[ref.resource_id],
            assignment_state=ref.assignment_state or AssignmentState.PENDING_ASSIGN,
        )
        for position, ref in enumerate(item.resources or ())
    ]


def _party_rows(tree: _ItemTree, item: Item, refs: Refs) -> list:
    return [
        _reference_row(ServicePartyRef, tree, ref, position, party=refs.parties[ref.party_id])
        for position, ref in enumerate(item.parties or ())
    ]


def _place_rows(tree: _ItemTree, item: Item, refs: Refs) -> list:
    return [
        _reference_row(ServicePlaceRef, tree, ref, position, place=refs.places[ref.place_id])
        for position, ref in enumerate(item.places or ())
    ]


def _relationship_rows(tree: _ItemTree, item: Item, refs: Refs) -> list:
    unique = {(rel.service_id, rel.relationship_type): None for rel in item.relationships or ()}
    return [
        ServiceRelationship(service=tree.cfs, related=refs.services[related_id], relationship_type=kind)
        for related_id, kind in unique
    ]


# an item's list -> (model, builder of one item's rows)
_ROWS = {
    "characteristics": (ServiceCharacteristic, _characteristic_rows),
    "resources": (ServiceResourceRef, _resource_rows),
    "parties": (ServicePartyRef, _party_rows),
    "places": (ServicePlaceRef, _place_rows),
    "relationships": (ServiceRelationship, _relationship_rows),
}


def _write_rows(trees: list[_ItemTree], items: list[Item], refs: Refs, kinds) -> list:
    """Insert the rows of these kinds for every item: one ``bulk_create`` per kind. Returns them."""
    written = []
    for kind in kinds:
        model, build = _ROWS[kind]
        written += model.objects.bulk_create([row for tree in trees for row in build(tree, items[tree.index], refs)])
    return written


def _new_rfs_names(tree: _ItemTree, item: Item) -> dict[str, str]:
    """Supporting services the item's characteristics name that do not exist yet: name -> specification id."""
    wanted: dict[str, str] = {}
    for position, char in enumerate(item.characteristics or ()):
        name = char.service_name or tree.cfs.name
        if name == tree.cfs.name or name in tree.rfs_by_name or name in wanted:
            continue
        if not char.service_spec_name:
            raise Invalid(
                f"required to create the supporting service {name}.",
                field=f"items[{tree.index}].characteristics[{position}].service_spec_name",
            )
        wanted[name] = char.service_spec_name
    return wanted


def _new_rfs(trees: list[_ItemTree], items: list[Item], refs: Refs, now) -> list[tuple[_ItemTree, str, Service]]:
    """The supporting services the items' characteristics introduce (not saved yet), with their item and name."""
    pending: list[tuple[_ItemTree, str, Service]] = []
    for tree in trees:
        for name, spec_id in _new_rfs_names(tree, items[tree.index]).items():
            spec = refs.specifications[spec_id]
            rfs = Service(
                name=name,
                category=ServiceCategory.RFS,
                service_type=spec.service_type,
                state=tree.cfs.state,
                specification=spec,
                business_interaction=tree.cfs.business_interaction,
                start_date=now,
                effective_date=tree.cfs.effective_date,
            )
            pending.append((tree, name, rfs))
    return pending


def _link_rfs(pending: list[tuple[_ItemTree, str, Service]]) -> list[SupportingService]:
    """Link the saved supporting services to their items (bulk)."""
    links = SupportingService.objects.bulk_create(
        [SupportingService(service=tree.cfs, supporting=rfs, name=name) for tree, name, rfs in pending]
    )
    for tree, name, rfs in pending:
        tree.rfs_by_name[name] = rfs
    return links


def _create_rfs(trees: list[_ItemTree], items: list[Item], refs: Refs, now) -> None:
    """Create the supporting services the items' characteristics introduce (bulk) and link them."""
    pending = _new_rfs(trees, items, refs, now)
    Service.objects.bulk_create([rfs for _, _, rfs in pending])
    _link_rfs(pending)


def _external_identity(item: Item) -> dict:
    return item.external_identity.service_fields() if item.external_identity is not None else {}


# --- create -------------------------------------------------------------------------------------------------


def _new_cfs(index: int, item: NewItem, child: BusinessInteraction, refs: Refs, effective_date, now) -> Service:
    spec = refs.specifications[item.specification_id]
    start = item.start_date or now
    check_service_dates(start, item.end_date, field=f"items[{index}].end_date")
    return Service(
        name=item.name,
        description=item.description,
        category=item.category or ServiceCategory.CFS,
        service_type=item.service_type or spec.service_type,
        state=item.state,
        specification=spec,
        business_interaction=child,
        start_date=start,
        end_date=item.end_date,
        effective_date=item.effective_date or effective_date or now,
        **_external_identity(item),
    )


@transaction.atomic
def bundle_create(
    *,
    items: list[NewItem],
    design_only: bool = True,
    effective_date=None,
    description: str = "",
    references: Refs | None = None,
    written: ServiceGraph | None = None,
) -> BusinessInteraction:
    """Create a bundle: a parent interaction, one child interaction and one CFS per item, their supporting
    services, characteristics and references. Unless ``design_only``, activation starts after commit.

    ``references``: what ``bundle_references_check`` loaded for this request (not loaded again). ``written``: a
    graph to fill with what was written (its items, services, links and rows as stored), for the door to render
    the new bundle without reading it back.

    The wire API always sends items; the admin creates an empty bundle (which cannot be activated)."""
    items = list(items)
    refs = resolve_references((name for item in items for name in names_in(item)), known=references)
    now = timezone.now()
    bundle = BusinessInteraction.objects.create(
        state=InteractionState.CREATED, effective_date=effective_date, description=description
    )
    children = BusinessInteraction.objects.bulk_create(
        [
            BusinessInteraction(parent=bundle, state=InteractionState.IN_PROGRESS, effective_date=effective_date)
            for _ in items
        ]
    )
    services = [
        _new_cfs(index, item, child, refs, effective_date, now)
        for index, (item, child) in enumerate(zip(items, children, strict=True))
    ]
    trees = [_ItemTree(index, cfs, {}) for index, cfs in enumerate(services)]
    pending = _new_rfs(trees, items, refs, now)
    Service.objects.bulk_create([*services, *(rfs for _, _, rfs in pending)])  # items and supporting services
    links = _link_rfs(pending)
    rows = _write_rows(trees, items, refs, _ROWS)
    InteractionTransition.objects.create(
        interaction=bundle, task="CREATE", from_state=InteractionState.CREATED, to_state=InteractionState.CREATED
    )
    changes.record(bundle, "created", counts={"items": len(items)})
    changes.record_many([service for tree in trees for service in tree.services], "created")
    if written is not None:
        written.add_written(services, links, rows)
    if not design_only:
        bundle_request_activation(bundle=bundle)
    return bundle


# --- update -------------------------------------------------------------------------------------------------


def _trees_for_update(bundle: BusinessInteraction, items: list[ItemUpdate]) -> list[_ItemTree]:
    ids = [str(item.service_id) for item in items]
    numeric = [pk for i in ids if (pk := as_pk(i)) is not None]
    items_of_bundle = Service.objects.select_related("business_interaction").filter(
        pk__in=numeric, business_interaction__parent=bundle, supported_links__isnull=True
    )
    cfs_by_id = {str(s.pk): s for s in items_of_bundle}
    rfs = defaultdict(dict)
    for link in SupportingService.objects.filter(service__in=cfs_by_id.values()).select_related("supporting"):
        rfs[link.service_id][link.name] = link.supporting
    trees = []
    for index, service_id in enumerate(ids):
        cfs = cfs_by_id.get(service_id)
        if cfs is None:
            raise service_not_found(service_id, what=f"Service of bundle {bundle.pk}")
        trees.append(_ItemTree(index, cfs, rfs[cfs.pk]))
    return trees


def _check_restated(tree: _ItemTree, item: ItemUpdate) -> None:
    """A service's state and relationships cannot be updated; an update may restate them unchanged."""
    if item.state is not None and item.state != tree.cfs.state:
        raise Invalid(
            f"cannot be updated (service {tree.cfs.pk} is {tree.cfs.state}).",
            code=NOT_UPDATABLE,
            field=f"items[{tree.index}].state",
        )
    if item.relationships is not None:
        sent = {(str(rel.service_id), rel.relationship_type) for rel in item.relationships}
        stored = {
            (str(rid), kind) for rid, kind in tree.cfs.relationships.values_list("related_id", "relationship_type")
        }
        if sent != stored:
            raise Invalid(
                f"cannot be updated on service {tree.cfs.pk}.",
                code=NOT_UPDATABLE,
                field=f"items[{tree.index}].relationships",
            )


def _update_attributes(trees: list[_ItemTree], items: list[ItemUpdate]) -> None:
    """Name, description and external identity of each item (one ``bulk_update``)."""
    for tree in trees:
        item = items[tree.index]
        if item.name is not None:
            tree.cfs.name = item.name
        if item.description is not None:
            tree.cfs.description = item.description
        for attribute, value in _external_identity(item).items():
            setattr(tree.cfs, attribute, value)
    Service.objects.bulk_update([tree.cfs for tree in trees], ["name", "description", *EXTERNAL_IDENTITY_FIELDS])


def _replace_rows(trees: list[_ItemTree], items: list[ItemUpdate], refs: Refs) -> None:
    """Each list an item carries replaces the stored one (of the CFS and its supporting services)."""
    for kind in ("resources", "parties", "places", "characteristics"):
        carrying = [tree for tree in trees if getattr(items[tree.index], kind) is not None]
        if not carrying:
            continue
        if kind == "characteristics":
            # The characteristics of the CFS and of each supporting service the list names.
            owners = {tree.cfs.pk for tree in carrying} | {
                tree.target_for_characteristic(char).pk
                for tree in carrying
                for char in items[tree.index].characteristics
            }
            ServiceCharacteristic.objects.filter(service_id__in=owners).delete()
        else:
            _ROWS[kind][0].objects.filter(service__in=[s for tree in carrying for s in tree.services]).delete()
        _write_rows(carrying, items, refs, [kind])


@transaction.atomic
def bundle_update(*, bundle_id, items: list[ItemUpdate], design_only: bool = True) -> BusinessInteraction:
    """Update the items of an open bundle: names, descriptions, external identity, and (replacing them)
    the characteristics, supporting resources, related parties and places each item carries."""
    items = list(items)
    bundle = lock_bundle(bundle_id)
    if bundle.state not in OPEN_STATES:
        raise InvalidState(
            f"Bundle {bundle.pk} is {bundle.state}: only a CREATED or IN_PROGRESS bundle can be updated.",
            code=BUNDLE_NOT_OPEN,
        )
    refs = resolve_references(name for item in items for name in names_in(item))
    trees = _trees_for_update(bundle, items)
    for tree in trees:
        _check_restated(tree, items[tree.index])
    _update_attributes(trees, items)
    now = timezone.now()
    _create_rfs(trees, items, refs, now)
    _replace_rows(trees, items, refs)
    BusinessInteraction.objects.filter(pk=bundle.pk).update(updated_at=now)
    changes.record(bundle, "items_updated", counts={"items": len(items)})
    changes.record_many([tree.cfs for tree in trees], "attributes_changed", changes={"attributes": [None, "replaced"]})
    if not design_only:
        bundle_request_activation(bundle=bundle)
    return bundle


@transaction.atomic
def bundle_edit(*, bundle_id, description: str, effective_date) -> BusinessInteraction:
    """What staff may change on a bundle (the admin): its description always, its effective date while open."""
    bundle = lock_bundle(bundle_id)
    before = changes.snapshot(bundle)
    if effective_date != bundle.effective_date and bundle.state not in OPEN_STATES:
        raise Invalid(
            f"cannot be changed: bundle {bundle.pk} is {bundle.state}.", code=BUNDLE_NOT_OPEN, field="effective_date"
        )
    bundle_scope_fields = {"effective_date": effective_date, "updated_at": timezone.now()}
    BusinessInteraction.objects.filter(pk=bundle.pk).update(description=description, **bundle_scope_fields)
    BusinessInteraction.objects.filter(parent=bundle).update(**bundle_scope_fields)
    bundle.refresh_from_db()
    changes.record(bundle, "updated", before=before)
    return bundle
