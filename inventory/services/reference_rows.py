"""Set-based writes of reference data (specifications, parties, places, resources) and of standalone services for
master-data imports (``inventory/imports.py``).

The import engine has checked every row with the model's field rules and, for services, the one date rule
(``check_service_dates``, as ``service_create``/``service_update`` do through ``full_clean``). A service's
lifecycle (state, category, specification) is set when it is created and never changed here, as in the admin.
"""

from django.db import transaction

from core.imports.writes import upsert

from ..models import Party, Place, Resource, Service, Specification
from .service_records import EDITABLE_FIELDS


@transaction.atomic
def reference_rows_write(
    *, model: type[Specification | Party | Place | Resource], creates: list, updates: list
) -> None:
    fields = sorted({name for _, values in updates for name in values})
    upsert(model, creates=creates, updates=updates, update_fields=fields)


@transaction.atomic
def services_write(*, creates: list, updates: list) -> None:
    """New standalone services (as ``service_create``) and changes to the editable fields (as ``service_update``)."""
    editable = set(EDITABLE_FIELDS)
    fields = sorted({name for _, values in updates for name in values if name in editable})
    upsert(Service, creates=creates, updates=updates, update_fields=fields)
