"""The analyst API under /api/: one read-only, filtered, exportable list per domain record."""

from rest_framework.routers import SimpleRouter

from blackouts.api.analyst import BlackoutPolicyAnalystViewSet, EventAnalystViewSet

router = SimpleRouter()
router.register("blackouts/policies", BlackoutPolicyAnalystViewSet, basename="analyst-blackout-policy")
router.register("blackouts/events", EventAnalystViewSet, basename="analyst-blackout-event")

urlpatterns = router.urls
