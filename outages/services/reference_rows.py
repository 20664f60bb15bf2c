"""Set-based writes of external systems for master-data imports (``outages/imports.py``): the engine has checked
each row with the model's field rules, as ``external_system_save``'s ``full_clean`` does."""

from django.db import transaction

from core.imports.writes import upsert

from ..models import ExternalSystem


@transaction.atomic
def external_systems_write(*, creates: list, updates: list) -> None:
    fields = sorted({name for _, values in updates for name in values})
    upsert(ExternalSystem, creates=creates, updates=updates, update_fields=fields)
