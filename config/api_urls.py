"""The analyst API under /api/: one read-only, filtered, exportable list per registered ListSpec.

Each list's path is its key with a slash (``outages.events`` → ``/api/outages/events/``); the lists themselves are
declared once each in ``<app>/exports.py``.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from blackouts.api.preview import PolicyPreviewView
from core.changes.api import SubscriptionViewSet
from core.lists import specs
from core.lists.api import viewset_for
from core.lists.api_root import ApiRootView
from outages.api.reliability import ReliabilityView, WorstServedCustomersView

router = SimpleRouter()
for _key, _spec in sorted(specs.REGISTRY.items()):
    router.register(_spec.path, viewset_for(_spec), basename=f"analyst-{_key.replace('.', '-')}")

# Not an analyst list: the webhook subscriptions (read and written through their services).
webhooks = SimpleRouter()
webhooks.register("webhooks/subscriptions", SubscriptionViewSet, basename="webhook-subscriptions")

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    # Ours, not BMC's: what a blackout policy would do, before saving it (docs/blackouts.md).
    path("blackouts/preview/", PolicyPreviewView.as_view(), name="blackouts-policy-preview"),
    # Ours: IEEE 1366 reliability indices computed from the outages (docs/outages.md).
    path("outages/reliability/", ReliabilityView.as_view(), name="outages-reliability"),
    path("outages/reliability/customers/", WorstServedCustomersView.as_view(), name="outages-reliability-customers"),
    *router.urls,
    *webhooks.urls,
]
