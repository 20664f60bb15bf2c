"""Scrape-time gauges and wire outcomes of the inventory app (core/metrics.py collects them)."""

from django.conf import settings

from core.metrics import backlog_gauge, declare_outcomes

from .services import bundles_stalled
from .tasks import DEFAULT_STALL_SECONDS

declare_outcomes("bundles", ("activated", "failed"))


@backlog_gauge(
    "activations_stalled",
    "Bundles that should be activating and have not moved for INVENTORY_SWEEP_STALL_SECONDS (the sweep re-publishes "
    "them; a lasting count means no worker is taking them).",
    health_limit="HEALTH_MAX_ACTIVATIONS_STALLED",
)
def activations_stalled() -> int:
    stall = float(getattr(settings, "INVENTORY_SWEEP_STALL_SECONDS", DEFAULT_STALL_SECONDS))
    return bundles_stalled(stall_seconds=stall).count()
