"""Factories of the inventory app: reference data and bundle services built through the service layer."""

import factory

from inventory import models
from inventory.services import Characteristic, NewItem, PartyRef, Relationship, ResourceRef


class SpecificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Specification
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: f"Spec_{n}_CFS")
    entity_type = "Service"
    service_type = "Test CFS Service"


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Party
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: str(700000 + n))
    name = factory.Sequence(lambda n: f"Party {n}")
    role = "Customer"


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Resource
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: f"9-{n}")
    name = factory.Sequence(lambda n: f"Device {n}")
    type = models.ResourceType.LOGICAL_DEVICE


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Place
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: str(800000 + n))
    name = factory.Sequence(lambda n: f"Place {n}")


def bundle_items(
    count: int,
    *,
    spec: str = "Broadband_Internet_Access_CFS",
    rfs_spec: str = "DOCS_RFS",
    party: str = "225002",
    resource: str = "1-1",
    related: str | None = "450005",
) -> list[dict]:
    """``count`` items of a UIM create body shaped like the spec's create example: a CFS, one RFS, a party, a
    resource (``new_items`` says the same in the services' terms)."""
    items = []
    for index in range(count):
        name = f"CFS-{index}"
        item = {
            "name": name,
            "state": "designed",
            "serviceSpecification": {"id": spec},
            "supportingResource": [{"id": resource, "@referredType": "LogicalDevice", "consumerName": "RFS"}],
            "relatedParty": [{"id": party, "referenceType": "Association", "consumerName": name}],
            "serviceCharacteristic": [
                {"name": "speed", "valueType": "ALPHANUMERIC", "value": "100 Mbps", "serviceName": name},
                {"name": "profile", "value": "Motorola", "serviceName": "RFS", "serviceSpecName": rfs_spec},
            ],
        }
        if related:
            item["serviceRelationship"] = [{"relationshipType": "relies-on", "service": {"id": related}}]
        items.append(item)
    return items


def new_items(
    count: int,
    *,
    spec: str = "Broadband_Internet_Access_CFS",
    rfs_spec: str = "DOCS_RFS",
    party: str = "225002",
    resource: str = "1-1",
    related: str | None = "450005",
) -> list[NewItem]:
    """``bundle_items`` as ``bundle_create`` takes them."""
    return [
        NewItem(
            name=(name := f"CFS-{index}"),
            state="designed",
            specification_id=spec,
            resources=(ResourceRef(resource_id=resource, resource_type="LogicalDevice", consumer_name="RFS"),),
            parties=(PartyRef(party_id=party, reference_type="Association", consumer_name=name),),
            characteristics=(
                Characteristic(name="speed", value_type="ALPHANUMERIC", value="100 Mbps", service_name=name),
                Characteristic(name="profile", value="Motorola", service_name="RFS", service_spec_name=rfs_spec),
            ),
            relationships=(Relationship(service_id=related, relationship_type="relies-on"),) if related else (),
        )
        for index in range(count)
    ]
