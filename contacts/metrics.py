"""The wire outcomes the contacts app counts (core/metrics.py)."""

from core.metrics import declare_outcomes

declare_outcomes("contact_status_reports", ("applied", "out_of_order"))
