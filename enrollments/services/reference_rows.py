"""Set-based writes of CIS mirror rows and programs for master-data imports (``enrollments/imports.py``).

The import engine has validated each row with the model's field rules (what ``reference_save``'s
``full_clean`` checks) and matched it by natural key; this writes a batch in two statements, deriving the keys
(``name_key``, ``address_key``) exactly as ``save()`` and ``cis_records_load`` do, and records each row written as
``reference_save`` does (``core.imports.writes.upsert``).
"""

from django.db import transaction

from core.imports.writes import upsert

from ..keys import ADDRESS_KEY, NAME_KEY
from ..models import Customer, Premise, Program, ServiceAgreement, ServicePoint

KEYS = {Customer: NAME_KEY, Premise: ADDRESS_KEY}  # the keys save() derives, from the same declarations
DERIVED = {model: [key.field] for model, key in KEYS.items()}
DERIVE = {model: key.fill for model, key in KEYS.items()}


@transaction.atomic
def reference_rows_write(
    *, model: type[Program | Customer | Premise | ServicePoint | ServiceAgreement], creates: list, updates: list
) -> None:
    """Insert ``creates`` and overwrite the given fields of ``updates`` (``(pk, values)``), derived keys included."""
    fields = sorted({name for _, values in updates for name in values})
    upsert(
        model,
        creates=creates,
        updates=updates,
        update_fields=fields + DERIVED.get(model, []),
        derive=DERIVE.get(model),
    )
