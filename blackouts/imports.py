"""Blackout policies, importable from files (``core/imports``): matched by name, validated by the one policy
validator (``policy_input.clean_policy``, as the wire and the admin) and written through ``policy_create`` /
``policy_update``, so an import can never store what the wire would refuse (an active policy is not edited, the
owner is the actor who imports, as on the wire: a file's ``owner`` column is read-only, ignored on import)."""

from core.imports.specs import ImportSpec, register

from . import policy_input
from .services import policy_rows_write

FIELDS = (
    "name",
    "description",
    "enabled",
    "execution_order",
    "selector_criteria",
    "blackout_existing_events",
    "reset_status_on_blackout_end",
    "timeframe",
)


def _clean(values: dict, stored: dict | None) -> dict:
    cleaned = policy_input.clean_policy({name: values[name] for name in FIELDS if name in values})
    return values | cleaned


register(
    ImportSpec(
        list_key="blackouts.policies",
        natural_key=("name",),
        fields=FIELDS,
        clean=_clean,
        write=policy_rows_write,
        batch_size=200,
    )
)
