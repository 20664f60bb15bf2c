"""What the bundle and activation services share: locking a bundle and the rows a bundle's state covers."""

from django.db.models import Q

from ..errors import bundle_not_found
from ..models import BusinessInteraction, Service
from ..selectors import as_pk


def lock_bundle(bundle_id) -> BusinessInteraction:
    """The bundle (a parent interaction) under a row lock; ``NotFound`` if there is none."""
    bundle = BusinessInteraction.objects.select_for_update().filter(pk=as_pk(bundle_id), parent__isnull=True).first()
    if bundle is None:
        raise bundle_not_found(bundle_id)
    return bundle


def bundle_scope(bundle: BusinessInteraction):
    """The bundle and its item interactions: they move through their states together."""
    return BusinessInteraction.objects.filter(Q(pk=bundle.pk) | Q(parent=bundle))


def bundle_services(bundle: BusinessInteraction):
    """Every service of the bundle: its items (CFS) and their supporting services (RFS)."""
    return Service.objects.filter(business_interaction__parent=bundle)
