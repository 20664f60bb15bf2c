"""Staff writes of reference data, one record at a time (the admin, the demo loader): specifications, parties,
places and resources. Each takes its record's id and its values (``SpecificationValues``...: every field but the
id, which a create gives and an update keeps). The model's rules apply (``full_clean``) and every write is recorded
in the change log.

Master-data files are loaded set-based by ``reference_rows_write``.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.db.models import ProtectedError

from core import changes
from core.changes.saving import validate_save_record
from core.errors import InvalidState, NotFound

from ..choices import LifecycleState, PlaceType, ResourceStatus, ResourceType
from ..models import Party, Place, Resource, Specification


@dataclass(frozen=True, kw_only=True)
class SpecificationValues:
    entity_type: str = "Service"
    description: str = ""
    version: str = "1"
    service_type: str = ""
    start_date: datetime | None = None
    end_date: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PartyValues:
    name: str
    role: str = ""
    referred_type: str = "Party"


@dataclass(frozen=True, kw_only=True)
class PlaceValues:
    name: str = ""
    referred_type: str = PlaceType.GEOGRAPHIC_ADDRESS
    latitude: str = ""
    longitude: str = ""


@dataclass(frozen=True, kw_only=True)
class ResourceValues:
    name: str = ""
    type: str = ResourceType.LOGICAL_DEVICE
    description: str = ""
    lifecycle_state: str = LifecycleState.INSTALLED
    lifecycle_sub_state: str = ""
    status: str = ResourceStatus.AVAILABLE
    specification_id: str | None = None


ReferenceValues = SpecificationValues | PartyValues | PlaceValues | ResourceValues


def values_of(obj: models.Model, values_class: type[ReferenceValues]) -> ReferenceValues:
    """The stored values of a record, as its services take them."""
    return values_class(**{f.name: getattr(obj, f.name) for f in dataclasses.fields(values_class)})


def _fields(values: ReferenceValues) -> dict:
    return {f.name: getattr(values, f.name) for f in dataclasses.fields(values)}


def _locked(model: type[models.Model], pk) -> models.Model:
    obj = model.objects.select_for_update().filter(pk=pk).first()
    if obj is None:
        name = model._meta.verbose_name
        raise NotFound(f"No {name} with id {pk}.", code=f"inventory.{model._meta.model_name}_not_found")
    return obj


def _create(model: type[models.Model], pk, values: ReferenceValues) -> models.Model:
    obj = model(pk=pk, **_fields(values))
    return validate_save_record(obj, code=f"inventory.invalid_{model._meta.model_name}")


def _update(model: type[models.Model], pk, values: ReferenceValues) -> models.Model:
    obj = _locked(model, pk)
    for name, value in _fields(values).items():
        setattr(obj, name, value)
    return validate_save_record(obj, code=f"inventory.invalid_{model._meta.model_name}")


def _delete(model: type[models.Model], pk) -> None:
    obj = _locked(model, pk)
    changes.record(obj, "deleted")
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise InvalidState(
            f"{model._meta.verbose_name} {pk} is in use and cannot be deleted.",
            code=f"inventory.{model._meta.model_name}_in_use",
        ) from exc


@transaction.atomic
def specification_create(*, specification_id: str, values: SpecificationValues) -> Specification:
    return _create(Specification, specification_id, values)


@transaction.atomic
def specification_update(*, specification_id: str, values: SpecificationValues) -> Specification:
    """Replace every value of the record (``values_of`` gives the stored ones, to change a few)."""
    return _update(Specification, specification_id, values)


@transaction.atomic
def specification_delete(*, specification_id) -> None:
    _delete(Specification, specification_id)


@transaction.atomic
def party_create(*, party_id: str, values: PartyValues) -> Party:
    return _create(Party, party_id, values)


@transaction.atomic
def party_update(*, party_id: str, values: PartyValues) -> Party:
    """Replace every value of the record (``values_of`` gives the stored ones, to change a few)."""
    return _update(Party, party_id, values)


@transaction.atomic
def party_delete(*, party_id) -> None:
    _delete(Party, party_id)


@transaction.atomic
def place_create(*, place_id: str, values: PlaceValues) -> Place:
    return _create(Place, place_id, values)


@transaction.atomic
def place_update(*, place_id: str, values: PlaceValues) -> Place:
    """Replace every value of the record (``values_of`` gives the stored ones, to change a few)."""
    return _update(Place, place_id, values)


@transaction.atomic
def place_delete(*, place_id) -> None:
    _delete(Place, place_id)


@transaction.atomic
def resource_create(*, resource_id: str, values: ResourceValues) -> Resource:
    return _create(Resource, resource_id, values)


@transaction.atomic
def resource_update(*, resource_id: str, values: ResourceValues) -> Resource:
    """Replace every value of the record (``values_of`` gives the stored ones, to change a few)."""
    return _update(Resource, resource_id, values)


@transaction.atomic
def resource_delete(*, resource_id) -> None:
    _delete(Resource, resource_id)
