"""Reads: services with everything their rendering needs, in a fixed number of queries whatever their count."""

from django.db.models import Prefetch, QuerySet

from .models import (
    BusinessInteraction,
    Service,
    ServiceCharacteristic,
    ServicePartyRef,
    ServicePlaceRef,
    ServiceRelationship,
    ServiceResourceRef,
    SupportingService,
)


def _own_prefetches(prefix: str = "") -> list:
    return [
        Prefetch(f"{prefix}characteristics", queryset=ServiceCharacteristic.objects.all()),
        Prefetch(
            f"{prefix}resource_refs",
            queryset=ServiceResourceRef.objects.select_related("resource", "resource__specification"),
        ),
        Prefetch(f"{prefix}party_refs", queryset=ServicePartyRef.objects.select_related("party")),
        Prefetch(f"{prefix}place_refs", queryset=ServicePlaceRef.objects.select_related("place")),
    ]


def service_queryset() -> QuerySet[Service]:
    """Services with their specification, interaction, own rows, relationships and supporting services'
    rows (a CFS lists the characteristics and references of its supporting services too)."""
    return Service.objects.select_related("specification", "business_interaction").prefetch_related(
        *_own_prefetches(),
        Prefetch("relationships", queryset=ServiceRelationship.objects.select_related("related")),
        Prefetch(
            "supporting_links",
            queryset=SupportingService.objects.select_related("supporting").prefetch_related(
                *_own_prefetches("supporting__")
            ),
        ),
    )


def as_pk(value) -> int | None:
    """A path or body id as a primary key, or None if it cannot be one (not digits, beyond bigint)."""
    text = str(value)
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def services_by_id(ids) -> dict[int, Service]:
    ids = {int(i) for i in ids}
    if not ids:
        return {}
    return {s.pk: s for s in service_queryset().filter(pk__in=ids)}


def bundle_get(bundle_id: str) -> BusinessInteraction | None:
    pk = as_pk(bundle_id)
    return None if pk is None else BusinessInteraction.objects.filter(pk=pk, parent__isnull=True).first()


def bundle_item_ids(bundle: BusinessInteraction) -> list[int]:
    """The bundle's items: its customer-facing services, in creation order."""
    return list(
        Service.objects.filter(business_interaction__parent=bundle, supported_links__isnull=True)
        .order_by("business_interaction_id", "pk")
        .values_list("pk", flat=True)
    )
