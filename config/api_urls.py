"""The analyst API under /api/: one read-only, filtered, exportable list per domain record."""

from rest_framework.routers import SimpleRouter

from blackouts.api.analyst import BlackoutPolicyAnalystViewSet, EventAnalystViewSet
from contacts.api.analyst import ContactStatusEventAnalystViewSet, CustomerContactAnalystViewSet
from enrollments.api.analyst import EnrollmentAnalystViewSet, UnenrollmentAnalystViewSet
from inventory.api.analyst import BusinessInteractionAnalystViewSet, ServiceAnalystViewSet
from outages.api.analyst import OutageCustomerAnalystViewSet, OutageEventAnalystViewSet, OutageMessageAnalystViewSet

router = SimpleRouter()
router.register("outages/events", OutageEventAnalystViewSet, basename="analyst-outage-event")
router.register("outages/customers", OutageCustomerAnalystViewSet, basename="analyst-outage-customer")
router.register("outages/messages", OutageMessageAnalystViewSet, basename="analyst-outage-message")
router.register("blackouts/policies", BlackoutPolicyAnalystViewSet, basename="analyst-blackout-policy")
router.register("blackouts/events", EventAnalystViewSet, basename="analyst-blackout-event")
router.register("contacts/contacts", CustomerContactAnalystViewSet, basename="analyst-contact")
router.register("contacts/history", ContactStatusEventAnalystViewSet, basename="analyst-contact-history")
router.register("enrollments/enrollments", EnrollmentAnalystViewSet, basename="analyst-enrollment")
router.register("enrollments/unenrollments", UnenrollmentAnalystViewSet, basename="analyst-unenrollment")
router.register("inventory/services", ServiceAnalystViewSet, basename="analyst-inventory-service")
router.register("inventory/interactions", BusinessInteractionAnalystViewSet, basename="analyst-inventory-interaction")

urlpatterns = router.urls
