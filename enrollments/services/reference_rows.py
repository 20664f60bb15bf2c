"""Set-based writes of CIS mirror rows and programs for master-data imports (``enrollments/imports.py``).

The import engine has validated each row with the model's field rules (what ``reference_save``'s
``full_clean`` checks) and matched it by natural key; this writes a batch in two statements, deriving the keys
(``name_key``, ``address_key``) exactly as ``save()`` and ``cis_records_load`` do.
"""

from django.db import transaction

from core.imports.writes import upsert

from ..keys import ADDRESS_KEY_FIELDS, address_key, normalise
from ..models import Customer, Premise, Program, ServiceAgreement, ServicePoint

DERIVED = {Customer: ["name_key"], Premise: ["address_key"]}


def _customer_keys(values: dict) -> None:
    values["name_key"] = normalise(values.get("name"))  # as Customer.derive_keys


def _premise_keys(values: dict) -> None:
    values["address_key"] = address_key(**{name: values.get(name) for name in ADDRESS_KEY_FIELDS})  # as Premise's


DERIVE = {Customer: _customer_keys, Premise: _premise_keys}


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
