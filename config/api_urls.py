"""The analyst API under /api/: one read-only, filtered, exportable list per domain record."""

from rest_framework.routers import SimpleRouter

from blackouts.api.analyst import BlackoutPolicyAnalystViewSet, EventAnalystViewSet
from enrollments.api.analyst import EnrollmentAnalystViewSet, UnenrollmentAnalystViewSet

router = SimpleRouter()
router.register("blackouts/policies", BlackoutPolicyAnalystViewSet, basename="analyst-blackout-policy")
router.register("blackouts/events", EventAnalystViewSet, basename="analyst-blackout-event")
router.register("enrollments/enrollments", EnrollmentAnalystViewSet, basename="analyst-enrollment")
router.register("enrollments/unenrollments", UnenrollmentAnalystViewSet, basename="analyst-unenrollment")

urlpatterns = router.urls
