"""The wire outcomes the outages app counts (core/metrics.py)."""

from core.metrics import declare_outcomes

declare_outcomes("outage_messages", ("applied", "stale", "refused"))
