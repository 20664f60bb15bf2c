"""Blackout precedence, written once: when more than one active policy matches an event, the lowest
``executionOrder`` wins, then the name (names are unique, so the order is total). Ingest, the hand-over at a
window's end and the calendar all take their order from here."""

from django.db import models

PRECEDENCE = ("execution_order", "name")


class PolicyQuerySet(models.QuerySet):
    def by_precedence(self) -> "PolicyQuerySet":
        """These policies, the one that wins first."""
        return self.order_by(*PRECEDENCE)
