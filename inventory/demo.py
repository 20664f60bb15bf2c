"""Demo data: every entity the spec's examples reference, and one designed bundle to activate from the admin.

With it, the spec's create example works as it stands (less its stray comma) against a fresh ``make run``. The
demo bundle is that example's two items, said in the inventory's terms (``services/items.py``); everything is
written through the services.
"""

import dataclasses
from datetime import UTC, datetime

from django.core.management.color import no_style
from django.db import connection

from . import services
from .models import (
    BusinessInteraction,
    InteractionState,
    Party,
    Place,
    Resource,
    ResourceType,
    Service,
    ServiceCategory,
    Specification,
)
from .services import Characteristic, NewItem, PartyRef, Relationship, ResourceRef

DEMO_BUNDLE = "Demo bundle: the spec's create example, designed only"
START, END = datetime(2022, 4, 7, 0, 0, 1, tzinfo=UTC), datetime(2038, 1, 19, 8, 44, 7, tzinfo=UTC)

SPECIFICATIONS = {
    "Broadband_Internet_Access_CFS": ("Service", "Broadband Internet CFS Service"),
    "Broadband_Internet_REST_Junit_CFS": ("Service", "Broadband Internet CFS Service"),
    "DOCS_RFS": ("Service", "DOCSIS RFS Service"),
    "Email_CFS": ("Service", "Email CFS Service"),
    "Logical_Device_Spec": ("LogicalDevice", ""),
}
PARTIES = {
    "225002": ("Snow White", "Customer"),
    "225003": ("Warehouse_1", ""),
    "225004": ("Warehouse_2", ""),
}
RESOURCES = ("1-1", "1-2", "1-3", "1-75001", "1-75002", "1-75003")
PLACES = {"310001": ("500 Oracle Parkway, Redwood City", "37.5297", "-122.2664")}
RELATED_SERVICE = (450005, "EmaiLCFS", "Email_CFS")


def _demo_item(number: int, *, upstream: str, downstream: str) -> NewItem:
    """Item ``number`` (1 or 2) of the spec's create example: a broadband CFS whose DOCSIS RFS holds a cable
    modem, related to the e-mail service 450005."""
    name, rfs, cfs_spec, rfs_spec = (
        f"BroadbandCFS{number}",
        "DOCSISRFS",
        "Broadband_Internet_REST_Junit_CFS",
        "DOCS_RFS",
    )

    def char(name_: str, value: str, service: str, spec: str, value_type: str = "ALPHANUMERIC") -> Characteristic:
        return Characteristic(
            name=name_, value=value, value_type=value_type, service_name=service, service_spec_name=spec
        )

    return NewItem(
        name=name,
        state="designed",
        specification_id="Broadband_Internet_Access_CFS",
        specification_type="Service",
        resources=tuple(
            ResourceRef(resource_id=rid, resource_type=ResourceType.LOGICAL_DEVICE, consumer_name=rfs)
            for rid in (f"1-{number}", f"1-7500{number}")
        ),
        parties=(
            PartyRef(
                party_id="225002",
                reference_type="Association",
                consumer_name=name,
                party_specification_id="BATPartySpec",
            ),
            PartyRef(
                party_id="225003", reference_type="Reference", consumer_name=rfs, party_specification_id="BATPartySpec"
            ),
        ),
        characteristics=(
            char("serviceRelType1", "relies-on", name, cfs_spec),
            char("serviceRel1", "EmaiLCFS", name, cfs_spec),
            char("Config_Profile_ID", "Motorola", rfs, rfs_spec),
            char("CPE_Enabled", "true", rfs, rfs_spec, value_type="BOOLEAN"),
            char("MaxUpstream", upstream, rfs, rfs_spec),
            char("MaxDownstream", downstream, rfs, rfs_spec),
        ),
        relationships=(Relationship(service_id=str(RELATED_SERVICE[0]), relationship_type="relies-on"),),
    )


# The spec's create example (``api/examples/bundle-create-request.json``), item by item.
DEMO_ITEMS = (
    _demo_item(1, upstream="20 Mbps", downstream="150 Mbps"),
    _demo_item(2, upstream="30 Mbps", downstream="160 Mbps"),
)


def _reset_sequence(model) -> None:
    """After rows with explicit ids (service 450005), let PostgreSQL's id sequence continue above them, as SQLite's
    does: later services get 450006, 450007... on both, and the sequence never runs into the explicit id."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


# entity -> what its services take
_VALUES = {
    "specification": services.SpecificationValues,
    "party": services.PartyValues,
    "resource": services.ResourceValues,
    "place": services.PlaceValues,
}


def _put(model, entity: str, pk, values: dict) -> None:
    """Create or update one reference record through its service (recorded in the change log); an update changes
    only these values."""
    values_class, stored = _VALUES[entity], model.objects.filter(pk=pk).first()
    if stored is not None:
        merged = dataclasses.replace(services.values_of(stored, values_class), **values)
        getattr(services, f"{entity}_update")(**{f"{entity}_id": pk}, values=merged)
    else:
        getattr(services, f"{entity}_create")(**{f"{entity}_id": pk}, values=values_class(**values))


def load(*, stdout) -> str:
    for spec_id, (entity_type, service_type) in SPECIFICATIONS.items():
        values = {"entity_type": entity_type, "service_type": service_type, "start_date": START, "end_date": END}
        _put(Specification, "specification", spec_id, values)
    for party_id, (name, role) in PARTIES.items():
        _put(Party, "party", party_id, {"name": name, "role": role})
    for resource_id in RESOURCES:
        values = {
            "name": f"CableModem_{resource_id}",
            "type": ResourceType.LOGICAL_DEVICE,
            "specification_id": "Logical_Device_Spec",
        }
        _put(Resource, "resource", resource_id, values)
    for place_id, (name, latitude, longitude) in PLACES.items():
        _put(Place, "place", place_id, {"name": name, "latitude": latitude, "longitude": longitude})
    service_id, name, spec_id = RELATED_SERVICE
    if not Service.objects.filter(pk=service_id).exists():
        services.service_create(
            service_id=service_id,
            specification_id=spec_id,
            details=services.ServiceDetails(name=name, service_type=SPECIFICATIONS[spec_id][1], start_date=START),
            category=ServiceCategory.CFS,
            state="active",
            has_started=True,
            is_service_enabled=True,
        )
    _reset_sequence(Service)
    bundle = BusinessInteraction.objects.filter(description=DEMO_BUNDLE, parent__isnull=True).first()
    if bundle is None:
        bundle = services.bundle_create(items=DEMO_ITEMS, design_only=True)
        services.bundle_edit(bundle_id=bundle.pk, description=DEMO_BUNDLE, effective_date=bundle.effective_date)
    bundle.refresh_from_db()
    if bundle.state == InteractionState.CREATED and not bundle.activation_requested:
        state = "designed; activate it from the admin"
    else:
        state = bundle.state
    return (
        f"{len(SPECIFICATIONS)} specifications, {len(PARTIES)} parties, {len(RESOURCES)} logical devices, "
        f"service {service_id}, bundle {bundle.pk} ({state})"
    )
