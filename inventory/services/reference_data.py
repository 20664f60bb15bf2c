"""Staff writes of reference data, one record at a time (the admin, the demo loader): specifications, parties,
places and resources. The model's rules apply (``full_clean``) and every write is recorded in the change log.

Master-data files are loaded set-based by ``reference_rows_write``.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError

from core import changes
from core.errors import InvalidState, NotFound, from_validation_error

from ..models import Party, Place, Resource, Specification


def _save(obj: models.Model, *, before: dict | None) -> models.Model:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise from_validation_error(exc, code=f"inventory.invalid_{obj._meta.model_name}") from exc
    obj.save()
    changes.record(obj, "created" if before is None else "updated", before=before)
    return obj


def _locked(model: type[models.Model], pk) -> models.Model:
    obj = model.objects.select_for_update().filter(pk=pk).first()
    if obj is None:
        name = model._meta.verbose_name
        raise NotFound(f"No {name} with id {pk}.", code=f"inventory.{model._meta.model_name}_not_found")
    return obj


def _create(model: type[models.Model], values: dict) -> models.Model:
    return _save(model(**values), before=None)


def _update(model: type[models.Model], pk, values: dict) -> models.Model:
    obj = _locked(model, pk)
    before = changes.snapshot(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    return _save(obj, before=before)


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
def specification_create(**values) -> Specification:
    return _create(Specification, values)


@transaction.atomic
def specification_update(*, specification_id, **values) -> Specification:
    return _update(Specification, specification_id, values)


@transaction.atomic
def specification_delete(*, specification_id) -> None:
    _delete(Specification, specification_id)


@transaction.atomic
def party_create(**values) -> Party:
    return _create(Party, values)


@transaction.atomic
def party_update(*, party_id, **values) -> Party:
    return _update(Party, party_id, values)


@transaction.atomic
def party_delete(*, party_id) -> None:
    _delete(Party, party_id)


@transaction.atomic
def place_create(**values) -> Place:
    return _create(Place, values)


@transaction.atomic
def place_update(*, place_id, **values) -> Place:
    return _update(Place, place_id, values)


@transaction.atomic
def place_delete(*, place_id) -> None:
    _delete(Place, place_id)


@transaction.atomic
def resource_create(**values) -> Resource:
    return _create(Resource, values)


@transaction.atomic
def resource_update(*, resource_id, **values) -> Resource:
    return _update(Resource, resource_id, values)


@transaction.atomic
def resource_delete(*, resource_id) -> None:
    _delete(Resource, resource_id)
