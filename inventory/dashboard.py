"""The inventory panel of the admin's operations dashboard (``core.dashboard``): bundles only (parents)."""

from core import dashboard

from .choices import RUNNING_STATES, InteractionState
from .models import BusinessInteraction


@dashboard.register("inventory", "Bundles", order=40)
def inventory_panel(now):
    bundles = BusinessInteraction.objects.filter(parent__isnull=True)
    return [
        dashboard.Figure(
            "bundles in flight",
            bundles.filter(activation_requested=True, state__in=RUNNING_STATES).count(),
            BusinessInteraction,
            {"activation_requested__exact": "1", "state__in": ",".join(RUNNING_STATES)},
            help="Bundles whose activation was requested and has not finished",
        ),
        dashboard.Figure(
            "failed activations",
            bundles.filter(state=InteractionState.FAILED).count(),
            BusinessInteraction,
            {"state__exact": InteractionState.FAILED},
            level="bad",
        ),
    ]
