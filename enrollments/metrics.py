"""The wire outcomes the enrollments app counts (core/metrics.py)."""

from core.metrics import declare_outcomes

declare_outcomes("unenrollments", ("pending", "completed", "error", "replayed"))
