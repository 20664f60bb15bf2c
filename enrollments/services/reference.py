"""The CIS mirror and reference data (programs, customers, premises, service points, agreements, devices):
single writes from the admin, set-based loads from the demo and imports, device returns received."""

from django.db import transaction
from django.utils import timezone

from core import changes
from core.changes.saving import validate_save_record

from ..models import Customer, Device, DeviceReturn, Premise, Program, ServiceAgreement, ServicePoint


@transaction.atomic
def reference_save(*, obj: Program | Customer | Premise | ServicePoint | ServiceAgreement | Device):
    """Create or change a program, a CIS mirror row (customer, premise, service point) or a device (admin).

    Derived keys (``name_key``, ``address_key``) follow the row; every model rule is checked before saving, and a
    broken one is an ``Invalid`` naming the field.
    """
    if hasattr(obj, "derive_keys"):
        obj.derive_keys()
    return validate_save_record(obj, code=f"enrollments.invalid_{obj._meta.model_name}")


@transaction.atomic
def device_return_receive(*, returns) -> int:
    """Mark requested device returns as received (today); return how many."""
    targets = DeviceReturn.objects.filter(pk__in=[r.pk for r in returns], status=DeviceReturn.Status.REQUESTED)
    befores = {r.pk: changes.snapshot(r) for r in targets}
    done = targets.update(status=DeviceReturn.Status.RECEIVED, received_at=timezone.now())
    for received in DeviceReturn.objects.filter(pk__in=list(befores)):
        changes.record(received, "received", before=befores[received.pk])
    return done


@transaction.atomic
def cis_records_load(
    *,
    customers: list[Customer],
    premises: list[Premise],
    service_points: list[tuple[str, str]],
    agreements: list[tuple[str, str]] = (),
):
    """Bulk-load CIS mirror rows (demo, imports): keys derived as ``save()`` does, then set-based inserts.

    ``service_points`` are ``(cis_service_point_id, cis_premise_id)`` pairs, ``agreements`` (who has service
    where) ``(cis_account_id, cis_service_point_id)`` pairs.
    """
    for row in (*customers, *premises):
        row.derive_keys()
    Customer.objects.bulk_create(customers)
    Premise.objects.bulk_create(premises)
    premise_pks = dict(
        Premise.objects.filter(cis_premise_id__in=[p for _, p in service_points]).values_list("cis_premise_id", "pk")
    )
    ServicePoint.objects.bulk_create(
        [ServicePoint(cis_service_point_id=sp, premise_id=premise_pks[p]) for sp, p in service_points]
    )
    customer_pks = dict(
        Customer.objects.filter(cis_account_id__in=[a for a, _ in agreements]).values_list("cis_account_id", "pk")
    )
    point_pks = dict(
        ServicePoint.objects.filter(cis_service_point_id__in=[sp for _, sp in agreements]).values_list(
            "cis_service_point_id", "pk"
        )
    )
    ServiceAgreement.objects.bulk_create(
        [ServiceAgreement(customer_id=customer_pks[a], service_point_id=point_pks[sp]) for a, sp in agreements]
    )
    changes.record_set(
        Customer,
        "cis_loaded",
        counts={
            "customers": len(customers),
            "premises": len(premises),
            "service_points": len(service_points),
            "agreements": len(agreements),
        },
    )
