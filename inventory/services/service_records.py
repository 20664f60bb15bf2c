"""Staff edits of a single service (the admin): its descriptive fields and dates, never its lifecycle.

A service's state, interaction, category and specification are set by bundles and their activation; its
characteristics and references are replaced by a bundle update. The model's rules (``full_clean``) apply.
"""

from django.db import transaction

from core.changes.saving import validate_save_record

from ..errors import service_not_found
from ..models import Service

EDITABLE_FIELDS = (
    "name",
    "description",
    "service_type",
    "start_date",
    "end_date",
    "effective_date",
    "external_arrangement",
    "external_management_domain",
    "external_name",
    "external_object_id",
)
CREATE_FIELDS = (*EDITABLE_FIELDS, "category", "specification", "specification_id", "state")
# What a service made outside any bundle may start with (the demo's related service is active and started).
CREATE_ONLY_FIELDS = ("has_started", "is_service_enabled")


def _save(service: Service) -> Service:
    return validate_save_record(service, code="inventory.invalid_service")


@transaction.atomic
def service_create(*, service_id=None, **values) -> Service:
    """A service outside any bundle (one that bundle items relate to, such as the demo's ``EmaiLCFS``), with the
    next id or a given one (the spec's examples name service 450005)."""
    unknown = set(values) - set(CREATE_FIELDS) - set(CREATE_ONLY_FIELDS)
    if unknown:
        raise TypeError(f"service_create() does not take {', '.join(sorted(unknown))}")
    return _save(Service(pk=service_id, **values))


@transaction.atomic
def service_update(*, service_id, **values) -> Service:
    """Change the editable fields of a service."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"service_update() does not take {', '.join(sorted(unknown))}")
    service = Service.objects.select_for_update().filter(pk=service_id).first()
    if service is None:
        raise service_not_found(service_id)
    for name, value in values.items():
        setattr(service, name, value)
    return _save(service)
