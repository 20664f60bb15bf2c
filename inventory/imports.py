"""Inventory reference data and standalone services, importable from files (``core/imports``).

Specifications, parties, places and resources are matched by their id (the name UIM requests use). Services are
matched by their database id: a row without an id creates a service (outside any bundle), one with an id changes
that service's editable fields; its category, state and specification are set when it is created.
"""

from functools import partial

from core.imports.specs import ImportSpec, Relation, SqlWrite, register

from .models import Party, Place, Resource, Specification, check_service_dates
from .services.reference_rows import reference_rows_write, services_write

SQL_WRITE = SqlWrite()  # reference_rows_write is a plain upsert: PostgreSQL may judge and write CSV files in SQL


def _check_service(values: dict, stored: dict | None) -> dict:
    check_service_dates(values.get("start_date"), values.get("end_date"))
    return values


# Reference data: matched by id, each list's columns (a resource names its specification by id).
for model, fields in (
    (Specification, ("id", "version", "entity_type", "description", "service_type", "start_date", "end_date")),
    (Party, ("id", "name", "role", "referred_type")),
    (Place, ("id", "name", "referred_type", "latitude", "longitude")),
    (Resource, ("id", "name", "type", "description", "lifecycle_state", "lifecycle_sub_state", "status")),
):
    register(
        ImportSpec(
            list_key=f"inventory.{model._meta.verbose_name_plural}",
            natural_key=("id",),
            fields=fields,
            relations=(Relation("specification", {"specification": "id"}),) if model is Resource else (),
            write=partial(reference_rows_write, model=model),
            sql_write=SQL_WRITE,
        )
    )

register(
    ImportSpec(
        list_key="inventory.services",
        natural_key=("id",),
        key_optional=True,
        fields=("id", "name", "service_type", "start_date", "end_date"),
        create_only=("category", "state", "specification"),
        relations=(Relation("specification", {"specification": "id"}),),
        clean=_check_service,
        write=services_write,
        description="A row without an id creates a standalone service.",
    )
)
