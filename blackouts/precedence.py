"""Blackout precedence, written once: when more than one active policy matches an event, the lowest
``executionOrder`` wins, then the name (names are unique, so the order is total). Ingest, the hand-over at a
window's end and the calendar all take their order from :meth:`PolicyQuerySet.by_precedence`."""

from django.db import models


class PolicyQuerySet(models.QuerySet):
    def by_precedence(self) -> "PolicyQuerySet":
        """These policies, the one that wins first."""
        return self.order_by("execution_order", "name")
