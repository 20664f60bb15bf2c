"""The analyst API under /api/: one read-only, filtered, exportable list per registered ListSpec.

Each list's path is its key with a slash (``outages.events`` → ``/api/outages/events/``); the lists themselves are
declared once each in ``<app>/exports.py``.
"""

from rest_framework.routers import SimpleRouter

from core import lists
from core.analyst import viewset_for
from core.changes.api import SubscriptionViewSet

router = SimpleRouter()
for _key, _spec in sorted(lists.REGISTRY.items()):
    router.register(_spec.path, viewset_for(_spec), basename=f"analyst-{_key.replace('.', '-')}")

# Not an analyst list: the webhook subscriptions (read and written through their services).
webhooks = SimpleRouter()
webhooks.register("webhooks/subscriptions", SubscriptionViewSet, basename="webhook-subscriptions")

urlpatterns = router.urls + webhooks.urls
