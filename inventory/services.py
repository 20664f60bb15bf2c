"""What changes the inventory: bundle create/update, bundle tasks and the activation steps.

Item dictionaries are the validated wire shapes of ``api/serializers.py`` (``serviceSpecification``,
``serviceCharacteristic``...). Every write is set-based: one query per kind of row, whatever the item count.
"""

import logging
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.wire.common import WireError
from core.wire.uim import ENTITY_TYPES, UIMNotFound

from .models import (
    OPEN_STATES,
    UNUSABLE_LIFECYCLE_STATES,
    AssignmentState,
    BusinessInteraction,
    InteractionState,
    InteractionTransition,
    Party,
    Place,
    ReferenceState,
    Resource,
    Service,
    ServiceCategory,
    ServiceCharacteristic,
    ServicePartyRef,
    ServicePlaceRef,
    ServiceRelationship,
    ServiceResourceRef,
    ServiceState,
    Specification,
    SupportingService,
)
from .selectors import as_pk

logger = logging.getLogger(__name__)

TASKS = ("APPROVE", "ISSUE", "ACTIVATE", "CANCEL")
# task -> (states it may start from, state it leads to)
TASK_RULES = {
    "APPROVE": (OPEN_STATES, InteractionState.APPROVED),
    "ISSUE": ((InteractionState.APPROVED,), InteractionState.ISSUED),
    "ACTIVATE": ((InteractionState.ISSUED,), InteractionState.COMPLETED),
    "CANCEL": (OPEN_STATES, InteractionState.CANCELLED),
}
ACTIVATION_STEPS = ("APPROVE", "ISSUE", "ACTIVATE")
_ORDER = {
    InteractionState.CREATED: 0,
    InteractionState.IN_PROGRESS: 0,
    InteractionState.APPROVED: 1,
    InteractionState.ISSUED: 2,
    InteractionState.COMPLETED: 3,
}
# Attributes an update item may carry (the spec's list) and those it may restate unchanged (its own example does).
UPDATABLE_ATTRIBUTES = (
    "id",
    "description",
    "name",
    "supportingResource",
    "relatedParty",
    "serviceCharacteristic",
    "place",
    "externalIdentity",
)
RESTATABLE_ATTRIBUTES = ("state", "serviceRelationship")


class ActivationNotReady(Exception):
    """A chain step found the bundle not yet in the state it starts from (retried with backoff)."""


class ActivationRefused(Exception):
    """The inventory cannot activate the bundle as designed (not retried: the bundle becomes FAILED)."""


def _entity_type(value, default: str) -> str:
    if not isinstance(value, str):
        return default
    if value in ENTITY_TYPES:
        return value
    return {"IPNetwork": "Network", "NetworkEntityCode": "GeographicLocation"}.get(value or "", default)


# --- reference resolution -------------------------------------------------------------------------------


@dataclass
class _Refs:
    specifications: dict = field(default_factory=dict)
    parties: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)
    places: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)


def _resolve_references(items: list[dict], *, create: bool) -> _Refs:
    """Load every entity the items name, one query per kind; 404 naming the first unknown one."""
    wanted = defaultdict(dict)  # kind -> {id: entity type for the 404}
    for item in items:
        spec = item.get("serviceSpecification")
        if spec:
            wanted["specifications"][spec["id"]] = _entity_type(spec.get("entityType"), "Service")
        for char in item.get("serviceCharacteristic") or ():
            if char.get("serviceSpecName"):
                wanted["specifications"][char["serviceSpecName"]] = "Service"
        for ref in item.get("supportingResource") or ():
            wanted["resources"][ref["id"]] = _entity_type(ref.get("@referredType"), "LogicalDevice")
        for ref in item.get("relatedParty") or ():
            wanted["parties"][ref["id"]] = "Party"
        for ref in item.get("place") or ():
            wanted["places"][ref["id"]] = _entity_type(ref.get("@referredType"), "GeographicAddress")
        for rel in item.get("serviceRelationship") or ():
            wanted["services"][rel["service"]["id"]] = "Service"

    refs = _Refs()
    labels = {
        "specifications": (Specification, "Specification"),
        "parties": (Party, "Party"),
        "resources": (Resource, "Resource"),
        "places": (Place, "Place"),
        "services": (Service, "Service"),
    }
    for kind, ids in wanted.items():
        model, label = labels[kind]
        if kind == "services":
            numeric = [as_pk(i) for i in ids if as_pk(i) is not None]
            found = model.objects.only("id", "name").in_bulk(numeric)
            found = {str(k): v for k, v in found.items()}
        else:
            found = model.objects.in_bulk(list(ids))
        for entity_id, entity_type in ids.items():
            if entity_id not in found:
                raise UIMNotFound(entity_type, entity_id, what=label)
        setattr(refs, kind, found)
    return refs


def _text_id(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if 0 < len(text) <= 255 and "\x00" not in text else None


def bundle_references_check(*, raw_items) -> None:
    """404 for the first unknown entity a raw (not yet validated) request names.

    Run before validation, so that a request naming an unknown entity is answered 404 whatever else is
    wrong with it: only well-formed ids are looked at, the rest is left to validation.
    """
    if not isinstance(raw_items, list):
        return
    sane = []
    for raw in raw_items[:5000]:
        if not isinstance(raw, dict):
            continue
        item = {}
        spec = raw.get("serviceSpecification")
        if isinstance(spec, dict) and _text_id(spec.get("id")):
            item["serviceSpecification"] = {"id": _text_id(spec["id"]), "entityType": spec.get("entityType")}
        for key in ("supportingResource", "relatedParty", "place"):
            refs = raw.get(key)
            if isinstance(refs, list):
                item[key] = [
                    {"id": _text_id(r["id"]), "@referredType": r.get("@referredType")}
                    for r in refs
                    if isinstance(r, dict) and _text_id(r.get("id"))
                ]
        chars = raw.get("serviceCharacteristic")
        if isinstance(chars, list):
            item["serviceCharacteristic"] = [
                {"serviceSpecName": _text_id(c["serviceSpecName"])}
                for c in chars
                if isinstance(c, dict) and _text_id(c.get("serviceSpecName"))
            ]
        rels = raw.get("serviceRelationship")
        if isinstance(rels, list):
            item["serviceRelationship"] = [
                {"service": {"id": _text_id(r["service"]["id"])}}
                for r in rels
                if isinstance(r, dict) and isinstance(r.get("service"), dict) and _text_id(r["service"].get("id"))
            ]
        sane.append(item)
    _resolve_references(sane, create=True)


# --- building one item's rows ---------------------------------------------------------------------------


def _reference_fields(ref: dict) -> dict:
    return {
        "reference_type": ref.get("referenceType") or "",
        "consumer_name": ref.get("consumerName") or "",
        "config_item_id": ref.get("configItemId") or "",
        "config_item_name": ref.get("configItemName") or "",
        "config_item_display_name": ref.get("configItemDisplayName") or "",
    }


def _characteristic(char: dict, service: Service, position: int) -> ServiceCharacteristic:
    return ServiceCharacteristic(
        service=service,
        position=position,
        name=char["name"],
        value_type=char.get("valueType") or "",
        value=char.get("value"),
        service_name=char.get("serviceName") or "",
        service_spec_name=char.get("serviceSpecName") or "",
        config_item_id=char.get("configItemId") or "",
        config_item_name=char.get("configItemName") or "",
        config_item_display_name=char.get("configItemDisplayName") or "",
        config_item_path=char.get("configItemPath") or "",
    )


def _external_identity(item: dict) -> dict:
    ext = item.get("externalIdentity")
    if ext is None:
        return {}
    return {
        "external_arrangement": ext.get("externalArrangement") or "",
        "external_management_domain": ext.get("externalManagementDomain") or "",
        "external_name": ext.get("externalName") or "",
        "external_object_id": ext.get("externalObjectId") or "",
    }


class _ItemTree:
    """A CFS and its supporting services by name, to route characteristics and references."""

    def __init__(self, index: int, cfs: Service, rfs_by_name: dict[str, Service]):
        self.index = index
        self.cfs = cfs
        self.rfs_by_name = rfs_by_name

    def target_for_characteristic(self, char: dict) -> Service:
        name = char.get("serviceName") or self.cfs.name
        return self.cfs if name == self.cfs.name else self.rfs_by_name[name]

    def target_for_reference(self, ref: dict) -> Service:
        return self.rfs_by_name.get(ref.get("consumerName") or "", self.cfs)

    @property
    def services(self) -> list[Service]:
        return [self.cfs, *self.rfs_by_name.values()]


def _new_rfs_names(index: int, item: dict, cfs_name: str, existing: dict[str, Service]) -> dict[str, str]:
    """Supporting services the item's characteristics name that do not exist yet: name -> specification id."""
    wanted: dict[str, str] = {}
    for position, char in enumerate(item.get("serviceCharacteristic") or ()):
        name = char.get("serviceName") or cfs_name
        if name == cfs_name or name in existing or name in wanted:
            continue
        if not char.get("serviceSpecName"):
            raise WireError(
                f"items[{index}].serviceCharacteristic[{position}].serviceSpecName: required to create the supporting "
                f"service {name}.",
                code="INVALID_REQUEST",
            )
        wanted[name] = char["serviceSpecName"]
    return wanted


def _create_rfs(trees: list[_ItemTree], items: list[dict], refs: _Refs, now) -> None:
    """Create the supporting services the items' characteristics introduce (bulk) and link them."""
    pending: list[tuple[_ItemTree, str, Service]] = []
    for tree in trees:
        item = items[tree.index]
        for name, spec_id in _new_rfs_names(tree.index, item, tree.cfs.name, tree.rfs_by_name).items():
            spec = refs.specifications[spec_id]
            rfs = Service(
                name=name,
                category=ServiceCategory.RFS,
                service_type=spec.service_type,
                state=tree.cfs.state,
                specification=spec,
                business_interaction_id=tree.cfs.business_interaction_id,
                start_date=now,
                effective_date=tree.cfs.effective_date,
            )
            pending.append((tree, name, rfs))
    if not pending:
        return
    Service.objects.bulk_create([rfs for _, _, rfs in pending])
    SupportingService.objects.bulk_create(
        [SupportingService(service=tree.cfs, supporting=rfs, name=name) for tree, name, rfs in pending]
    )
    for tree, name, rfs in pending:
        tree.rfs_by_name[name] = rfs


def _rows_for(tree: _ItemTree, item: dict, refs: _Refs, kinds: set[str]) -> dict[str, list]:
    rows = defaultdict(list)
    if "serviceCharacteristic" in kinds:
        for position, char in enumerate(item.get("serviceCharacteristic") or ()):
            rows["serviceCharacteristic"].append(_characteristic(char, tree.target_for_characteristic(char), position))
    if "supportingResource" in kinds:
        for position, ref in enumerate(item.get("supportingResource") or ()):
            rows["supportingResource"].append(
                ServiceResourceRef(
                    service=tree.target_for_reference(ref),
                    resource=refs.resources[ref["id"]],
                    position=position,
                    assignment_state=ref.get("assignmentState") or AssignmentState.PENDING_ASSIGN,
                    **_reference_fields(ref),
                )
            )
    if "relatedParty" in kinds:
        for position, ref in enumerate(item.get("relatedParty") or ()):
            party = refs.parties[ref["id"]]
            rows["relatedParty"].append(
                ServicePartyRef(
                    service=tree.target_for_reference(ref),
                    party=party,
                    position=position,
                    role=ref.get("role") or "",
                    party_specification_id=(ref.get("partySpecification") or {}).get("id") or "",
                    **_reference_fields(ref),
                )
            )
    if "place" in kinds:
        for position, ref in enumerate(item.get("place") or ()):
            rows["place"].append(
                ServicePlaceRef(
                    service=tree.target_for_reference(ref),
                    place=refs.places[ref["id"]],
                    position=position,
                    role=ref.get("role") or "",
                    assignment_state=ref.get("assignmentState") or "",
                    **_reference_fields(ref),
                )
            )
    if "serviceRelationship" in kinds:
        seen = set()
        for rel in item.get("serviceRelationship") or ():
            key = (rel["service"]["id"], rel["relationshipType"])
            if key in seen:
                continue
            seen.add(key)
            rows["serviceRelationship"].append(
                ServiceRelationship(
                    service=tree.cfs,
                    related=refs.services[rel["service"]["id"]],
                    relationship_type=rel["relationshipType"],
                )
            )
    return rows


_ROW_MODELS = {
    "serviceCharacteristic": ServiceCharacteristic,
    "supportingResource": ServiceResourceRef,
    "relatedParty": ServicePartyRef,
    "place": ServicePlaceRef,
    "serviceRelationship": ServiceRelationship,
}


def _write_rows(trees: list[_ItemTree], items: list[dict], refs: _Refs, kinds: set[str]) -> None:
    collected = defaultdict(list)
    for tree in trees:
        for kind, rows in _rows_for(tree, items[tree.index], refs, kinds).items():
            collected[kind].extend(rows)
    for kind, rows in collected.items():
        _ROW_MODELS[kind].objects.bulk_create(rows)


# --- bundle create / update -----------------------------------------------------------------------------


@transaction.atomic
def bundle_create(*, items: list[dict], design_only: bool = True, effective_date=None) -> BusinessInteraction:
    """Create a bundle: a parent interaction, one child interaction and one CFS per item, their supporting
    services, characteristics and references. Unless ``design_only``, activation starts after commit."""
    refs = _resolve_references(items, create=True)
    now = timezone.now()
    bundle = BusinessInteraction.objects.create(state=InteractionState.CREATED, effective_date=effective_date)
    children = BusinessInteraction.objects.bulk_create(
        [
            BusinessInteraction(parent=bundle, state=InteractionState.IN_PROGRESS, effective_date=effective_date)
            for _ in items
        ]
    )
    services = []
    for item, child in zip(items, children, strict=True):
        spec = refs.specifications[item["serviceSpecification"]["id"]]
        services.append(
            Service(
                name=item["name"],
                description=item.get("description") or "",
                category=item.get("category") or ServiceCategory.CFS,
                service_type=item.get("serviceType") or spec.service_type,
                state=item["state"],
                specification=spec,
                business_interaction=child,
                start_date=item.get("startDate") or now,
                end_date=item.get("endDate"),
                effective_date=item.get("effectiveDate") or effective_date or now,
                **_external_identity(item),
            )
        )
    Service.objects.bulk_create(services)
    trees = [_ItemTree(index, cfs, {}) for index, cfs in enumerate(services)]
    _create_rfs(trees, items, refs, now)
    _write_rows(trees, items, refs, set(_ROW_MODELS))
    InteractionTransition.objects.create(
        interaction=bundle, task="CREATE", from_state=InteractionState.CREATED, to_state=InteractionState.CREATED
    )
    if not design_only:
        bundle_request_activation(bundle=bundle)
    return bundle


def _lock_bundle(bundle_id) -> BusinessInteraction:
    bundle = BusinessInteraction.objects.select_for_update().filter(pk=as_pk(bundle_id), parent__isnull=True).first()
    if bundle is None:
        raise UIMNotFound("Service", str(bundle_id), what="Bundle")
    return bundle


def _trees_for_update(bundle: BusinessInteraction, items: list[dict]) -> list[_ItemTree]:
    ids = [str(item["id"]) for item in items]
    cfs_by_id = {
        str(s.pk): s
        for s in Service.objects.filter(
            pk__in=[as_pk(i) for i in ids if as_pk(i) is not None],
            business_interaction__parent=bundle,
            supported_links__isnull=True,
        )
    }
    links = SupportingService.objects.filter(service__in=cfs_by_id.values()).select_related("supporting")
    rfs = defaultdict(dict)
    for link in links:
        rfs[link.service_id][link.name] = link.supporting
    trees = []
    for index, service_id in enumerate(ids):
        cfs = cfs_by_id.get(service_id)
        if cfs is None:
            raise UIMNotFound("Service", service_id, what=f"Service of bundle {bundle.pk}")
        trees.append(_ItemTree(index, cfs, rfs[cfs.pk]))
    return trees


def _check_restated(tree: _ItemTree, item: dict) -> None:
    """``state`` and ``serviceRelationship`` cannot be updated; the spec's own update example restates them."""
    if "state" in item and item["state"] != tree.cfs.state:
        raise WireError(
            f"items[{tree.index}].state: cannot be updated (service {tree.cfs.pk} is {tree.cfs.state}).",
            code="INVALID_REQUEST",
        )
    if "serviceRelationship" in item:
        sent = {(str(r["service"]["id"]), r["relationshipType"]) for r in item["serviceRelationship"]}
        stored = {
            (str(related), kind)
            for related, kind in tree.cfs.relationships.values_list("related_id", "relationship_type")
        }
        if sent != stored:
            raise WireError(
                f"items[{tree.index}].serviceRelationship: cannot be updated on service {tree.cfs.pk}.",
                code="INVALID_REQUEST",
            )


@transaction.atomic
def bundle_update(*, bundle_id, items: list[dict], design_only: bool = True) -> BusinessInteraction:
    """Update the items of an open bundle: names, descriptions, external identity, and (replacing them)
    the characteristics, supporting resources, related parties and places each item carries."""
    bundle = _lock_bundle(bundle_id)
    if bundle.state not in OPEN_STATES:
        raise WireError(
            f"Bundle {bundle.pk} is {bundle.state}: only a CREATED or IN_PROGRESS bundle can be updated.",
            code="INVALID_STATE",
        )
    refs = _resolve_references(
        [{k: v for k, v in i.items() if k != "serviceRelationship"} for i in items], create=False
    )
    trees = _trees_for_update(bundle, items)
    for tree in trees:
        _check_restated(tree, items[tree.index])

    changed = []
    for tree in trees:
        item = items[tree.index]
        cfs = tree.cfs
        for attribute, value in (("name", item.get("name")), ("description", item.get("description"))):
            if value is not None:
                setattr(cfs, attribute, value)
        for attribute, value in _external_identity(item).items():
            setattr(cfs, attribute, value)
        changed.append(cfs)
    Service.objects.bulk_update(
        changed,
        [
            "name",
            "description",
            "external_arrangement",
            "external_management_domain",
            "external_name",
            "external_object_id",
        ],
    )

    now = timezone.now()
    _create_rfs(trees, items, refs, now)
    for kind in ("supportingResource", "relatedParty", "place", "serviceCharacteristic"):
        carrying = [tree for tree in trees if kind in items[tree.index]]
        if not carrying:
            continue
        services = [s for tree in carrying for s in tree.services]
        if kind == "serviceCharacteristic":
            # Replace the characteristics of the CFS and of each supporting service the list names.
            named = [
                tree.target_for_characteristic(char).pk
                for tree in carrying
                for char in items[tree.index]["serviceCharacteristic"]
            ]
            named += [tree.cfs.pk for tree in carrying]
            ServiceCharacteristic.objects.filter(service_id__in=named).delete()
        else:
            _ROW_MODELS[kind].objects.filter(service__in=services).delete()
        _write_rows(carrying, items, refs, {kind})
    BusinessInteraction.objects.filter(pk=bundle.pk).update(updated_at=now)
    if not design_only:
        bundle_request_activation(bundle=bundle)
    return bundle


# --- tasks and activation -------------------------------------------------------------------------------


def _bundle_scope(bundle: BusinessInteraction):
    return BusinessInteraction.objects.filter(Q(pk=bundle.pk) | Q(parent=bundle))


def _bundle_services(bundle: BusinessInteraction):
    return Service.objects.filter(business_interaction__parent=bundle)


def _check_resources(bundle: BusinessInteraction) -> None:
    unusable = (
        ServiceResourceRef.objects.filter(
            service__business_interaction__parent=bundle, resource__lifecycle_state__in=UNUSABLE_LIFECYCLE_STATES
        )
        .values_list("resource_id", "resource__lifecycle_state")
        .order_by("resource_id")
        .distinct()
    )
    problems = [f"resource {rid} is {state}" for rid, state in unusable]
    if problems:
        raise ActivationRefused("Cannot activate: " + "; ".join(problems) + ".")


def _apply(bundle: BusinessInteraction, task: str, to_state: str) -> None:
    """Apply one task's effects to the bundle, its interactions, services and references."""
    now = timezone.now()
    if task == "ACTIVATE":
        _check_resources(bundle)
        services = _bundle_services(bundle)
        services.update(
            state=ServiceState.ACTIVE,
            has_started=True,
            is_service_enabled=True,
            start_date=Coalesce("start_date", now),
        )
        scope = Q(service__business_interaction__parent=bundle)
        ServiceResourceRef.objects.filter(scope).update(
            reference_state=ReferenceState.REFERENCED, assignment_state=AssignmentState.ASSIGNED
        )
        ServicePartyRef.objects.filter(scope).update(reference_state=ReferenceState.REFERENCED)
        ServicePlaceRef.objects.filter(scope).update(reference_state=ReferenceState.REFERENCED)
    elif task == "CANCEL":
        _bundle_services(bundle).update(state=ServiceState.CANCELLED, is_service_enabled=False)
        scope = Q(service__business_interaction__parent=bundle)
        for model in (ServiceResourceRef, ServicePartyRef, ServicePlaceRef):
            model.objects.filter(scope).update(reference_state=ReferenceState.UNREFERENCED)
    _bundle_scope(bundle).update(state=to_state, updated_at=now)
    InteractionTransition.objects.create(
        interaction=bundle, attempt=bundle.attempt, task=task, from_state=bundle.state, to_state=to_state
    )
    if to_state in (InteractionState.COMPLETED, InteractionState.CANCELLED):
        BusinessInteraction.objects.filter(pk=bundle.pk).update(activation_requested=False)
    bundle.state = to_state


@transaction.atomic
def bundle_run_task(*, bundle_id, task: str) -> BusinessInteraction:
    """Run one task (APPROVE, ISSUE, ACTIVATE, CANCEL) now; 400 naming the state if it cannot start from it."""
    task = task.upper()
    if task not in TASK_RULES:
        raise WireError(f"task: {task} is not one of {', '.join(TASKS)}.", code="INVALID_REQUEST")
    bundle = _lock_bundle(bundle_id)
    allowed, to_state = TASK_RULES[task]
    if bundle.state not in allowed:
        raise WireError(
            f"Cannot {task} bundle {bundle.pk}: it is {bundle.state} "
            f"({task} requires {' or '.join(s for s in allowed if s != InteractionState.CREATED) or allowed[0]}).",
            code="INVALID_STATE",
        )
    try:
        _apply(bundle, task, to_state)
    except ActivationRefused as exc:
        raise WireError(str(exc), code="INVALID_STATE") from exc
    return bundle


def _step_delay() -> None:
    """Tests make a step slow (``INVENTORY_STEP_DELAY_SECONDS``) to kill the worker in the middle of it."""
    delay = float(os.environ.get("INVENTORY_STEP_DELAY_SECONDS", "0") or 0)
    if delay > 0:
        time.sleep(delay)


@transaction.atomic
def bundle_activation_step(*, bundle_id: int, step: str) -> str:
    """One idempotent step of the activation chain, under the bundle's row lock.

    Already past this step → nothing to do. Cancelled or failed → the chain stops doing anything.
    Not yet at the step's starting state → ``ActivationNotReady`` (the task retries with backoff).
    """
    bundle = BusinessInteraction.objects.select_for_update().filter(pk=bundle_id, parent__isnull=True).first()
    if bundle is None:
        return "missing"
    allowed, to_state = TASK_RULES[step]
    if bundle.state in (InteractionState.CANCELLED, InteractionState.FAILED):
        return f"skipped: {bundle.state}"
    if bundle.state not in allowed:
        if _ORDER.get(bundle.state, -1) >= _ORDER[to_state]:
            return "already done"
        raise ActivationNotReady(f"{step} needs {allowed[-1]}, bundle {bundle.pk} is {bundle.state}")
    _step_delay()
    _apply(bundle, step, to_state)
    return "applied"


@transaction.atomic
def bundle_mark_failed(*, bundle_id: int, step: str, reason: str) -> None:
    """The activation chain gave up: the bundle becomes FAILED, keeping the state it failed in and why."""
    bundle = BusinessInteraction.objects.select_for_update().filter(pk=bundle_id, parent__isnull=True).first()
    if bundle is None or bundle.state in (
        InteractionState.COMPLETED,
        InteractionState.CANCELLED,
        InteractionState.FAILED,
    ):
        return
    reason = f"{step}: {reason}"[:2000]
    _bundle_scope(bundle).update(
        state=InteractionState.FAILED, failed_state=bundle.state, failure_reason=reason, updated_at=timezone.now()
    )
    InteractionTransition.objects.create(
        interaction=bundle,
        attempt=bundle.attempt,
        task=step,
        from_state=bundle.state,
        to_state=InteractionState.FAILED,
        reason=reason,
    )


def bundle_request_activation(*, bundle: BusinessInteraction) -> None:
    """Mark the bundle as to be activated and enqueue the chain once the transaction commits."""
    BusinessInteraction.objects.filter(pk=bundle.pk).update(activation_requested=True, updated_at=timezone.now())
    bundle.activation_requested = True
    from .tasks import enqueue_activation

    if bundle.effective_date and bundle.effective_date > timezone.now():
        return  # not due yet: the sweep starts it once effectiveDate has passed
    bundle_id = bundle.pk
    transaction.on_commit(lambda: enqueue_activation(bundle_id))


@transaction.atomic
def bundle_retry(*, bundle_id) -> BusinessInteraction:
    """Put a FAILED bundle back in the state it failed in and run its activation again."""
    bundle = _lock_bundle(bundle_id)
    if bundle.state != InteractionState.FAILED:
        raise WireError(f"Cannot retry bundle {bundle.pk}: it is {bundle.state}, not FAILED.", code="INVALID_STATE")
    back_to = bundle.failed_state or InteractionState.CREATED
    bundle.attempt += 1
    _bundle_scope(bundle).update(failed_state="", failure_reason="")
    BusinessInteraction.objects.filter(pk=bundle.pk).update(state=back_to, attempt=bundle.attempt)
    BusinessInteraction.objects.filter(parent=bundle).update(
        state=InteractionState.IN_PROGRESS if back_to in OPEN_STATES else back_to
    )
    InteractionTransition.objects.create(
        interaction=bundle, attempt=bundle.attempt, task="RETRY", from_state=InteractionState.FAILED, to_state=back_to
    )
    bundle.state = back_to
    bundle_request_activation(bundle=bundle)
    return bundle


def bundles_stalled(*, stall_seconds: float):
    """Bundles that should be running their activation and have not moved for ``stall_seconds``."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=stall_seconds)
    return (
        BusinessInteraction.objects.filter(
            parent__isnull=True,
            activation_requested=True,
            state__in=(*OPEN_STATES, InteractionState.APPROVED, InteractionState.ISSUED),
            updated_at__lte=cutoff,
        )
        .filter(Q(effective_date__isnull=True) | Q(effective_date__lte=now))
        .order_by("pk")
    )


def bundles_touch(*, bundle_ids: list[int]) -> None:
    """Note that the sweep re-enqueued these bundles, so the next sweep waits for them again."""
    BusinessInteraction.objects.filter(pk__in=bundle_ids).update(updated_at=timezone.now())
