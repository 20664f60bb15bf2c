"""The inventory panel of the admin's operations dashboard (``core.dashboard``): bundles only (parents)."""

from django.db.models import Count, Q

from core import dashboard

from .choices import RUNNING_STATES, InteractionState
from .models import BusinessInteraction


@dashboard.register("inventory", "Bundles", order=40)
def inventory_panel(now):
    counts = BusinessInteraction.objects.filter(parent__isnull=True).aggregate(
        in_flight=Count("pk", filter=Q(activation_requested=True, state__in=RUNNING_STATES)),
        failed=Count("pk", filter=Q(state=InteractionState.FAILED)),
    )
    return [
        dashboard.Figure(
            "bundles in flight",
            counts["in_flight"],
            BusinessInteraction,
            {"activation_requested__exact": "1", "state__in": ",".join(RUNNING_STATES)},
            help="Bundles whose activation was requested and has not finished",
        ),
        dashboard.Figure(
            "failed activations",
            counts["failed"],
            BusinessInteraction,
            {"state__exact": InteractionState.FAILED},
            level="bad",
        ),
    ]
