"""Staff edits of a single service (the admin): its descriptive fields and dates, never its lifecycle.

A service's state, interaction, category and specification are set by bundles and their activation (or, for a
standalone service, when it is made); its characteristics and references are replaced by a bundle update. The
model's rules (``full_clean``) apply.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from core.changes.saving import validate_save_record

from ..choices import ServiceCategory, ServiceState
from ..errors import service_not_found
from ..models import Service


@dataclass(frozen=True, kw_only=True)
class ServiceDetails:
    """What staff may edit on a service: its descriptive fields, dates and external identity."""

    name: str
    description: str = ""
    service_type: str = ""
    start_date: datetime | None = None
    end_date: datetime | None = None
    effective_date: datetime | None = None
    external_arrangement: str = ""
    external_management_domain: str = ""
    external_name: str = ""
    external_object_id: str = ""


EDITABLE_FIELDS = tuple(f.name for f in dataclasses.fields(ServiceDetails))


def details_of(service: Service) -> ServiceDetails:
    """A service's stored details (to change a few of them)."""
    return ServiceDetails(**{name: getattr(service, name) for name in EDITABLE_FIELDS})


def _details(details: ServiceDetails) -> dict:
    return {name: getattr(details, name) for name in EDITABLE_FIELDS}


def _save(service: Service) -> Service:
    return validate_save_record(service, code="inventory.invalid_service")


@transaction.atomic
def service_create(
    *,
    specification_id: str,
    details: ServiceDetails,
    service_id: int | None = None,
    state: str = ServiceState.DESIGNED,
    category: str = ServiceCategory.CFS,
    has_started: bool = False,
    is_service_enabled: bool = False,
) -> Service:
    """A service outside any bundle (one that bundle items relate to, such as the demo's ``EmaiLCFS``), with the
    next id or a given one (the spec's examples name service 450005)."""
    service = Service(
        pk=service_id,
        specification_id=specification_id,
        state=state,
        category=category,
        has_started=has_started,
        is_service_enabled=is_service_enabled,
        **_details(details),
    )
    return _save(service)


@transaction.atomic
def service_update(*, service_id, details: ServiceDetails) -> Service:
    """Replace the editable fields of a service (``details_of`` gives the stored ones)."""
    service = Service.objects.select_for_update().filter(pk=service_id).first()
    if service is None:
        raise service_not_found(service_id)
    for name, value in _details(details).items():
        setattr(service, name, value)
    return _save(service)
