"""The change log and the outbox: one :class:`Change` per domain write (in the write's transaction), and the
:class:`Delivery` rows it becomes for the :class:`Subscription` s it matches, with every :class:`DeliveryAttempt`.

Nothing is recorded that did not happen (a rolled-back write rolls its change and its deliveries back with it)
and nothing that happened goes unsent (deliveries are rows first, enqueued after commit, swept if the broker
lost them).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Change(models.Model):
    """Who did what to which object, when, through which request: one row per domain action.

    ``changes`` maps each changed field to ``[before, after]`` (JSON values); ``counts`` holds the sizes of
    set-based work (customers written, events blacked out); ``events`` the outbound event types it raised;
    ``object_state`` every field of the object at the change (secrets left out), kept only when an event of it is
    to be sent: the worker renders the event from it (``core.changes.rendering``).
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.CharField(max_length=200, blank=True, help_text="user:…, task:…, command:…")
    request_id = models.CharField(max_length=128, blank=True)
    object_type = models.CharField(max_length=100, help_text="app_label.model")
    object_id = models.CharField(max_length=100)
    natural_key = models.CharField(max_length=500, blank=True)
    object_repr = models.CharField("object", max_length=200, blank=True)
    action = models.CharField(max_length=50)
    changes = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    events = models.JSONField(default=list, blank=True)
    object_state = models.JSONField(
        null=True, blank=True, help_text="The object's fields at the change, when an event of it is to be sent."
    )

    class Meta:
        db_table = "core_change"  # the table it had in core (docs/architecture.md: moved, not copied)
        ordering = ["-id"]
        verbose_name = "change"
        # One plain index per equality filter of the lists (filters.py): no "_like" twin, which only serves
        # LIKE 'prefix%' (the search is icontains, which no B-tree serves), and none on object_type alone, which
        # core_change_object's prefix serves. An import writes a change per row: each index is paid per row.
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="core_change_object"),
            models.Index(fields=["actor"], name="core_change_actor"),
            models.Index(fields=["request_id"], name="core_change_request_id"),
            models.Index(fields=["natural_key"], name="core_change_natural_key"),
            models.Index(fields=["action"], name="core_change_action"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.natural_key or self.object_id} {self.action}"


class Subscription(models.Model):
    """A listener: where to send which events, how to sign them, whether it is on (and why it was turned off).

    ``secret`` is sensitive: the change log records only that it changed, the admin and the API show it once (when
    created or rotated), masked ever after (``core.changes.registry.sensitive_fields``)."""

    sensitive_fields = ("secret",)

    class Format(models.TextChoices):
        STANDARD = "standard", "Standard Webhooks"
        TMF638 = "tmf638", "TMF638 hub (inventory)"

    name = models.CharField(max_length=200, blank=True)
    target_url = models.URLField("target URL", max_length=2000)
    event_types = models.JSONField(default=list, help_text='Event types to send, e.g. ["outage.etr_changed"].')
    filter = models.TextField(
        blank=True, help_text="Optional criteria over the payload, in the blackout criteria language."
    )
    secret = models.CharField(max_length=200, help_text="Standard Webhooks secret (whsec_…).")
    enabled = models.BooleanField(default=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.STANDARD)
    query = models.TextField(
        blank=True, help_text="TMF hub: the listener's TMF630 filter query, as given; judged on each rendered event."
    )
    base_url = models.CharField(
        max_length=2000, blank=True, help_text="TMF hub: the public base URL it registered through (its events' hrefs)."
    )
    api_version = models.CharField(
        max_length=20, blank=True, help_text="TMF hub: the API version it registered through (its events' hrefs)."
    )
    owner = models.CharField(max_length=200, blank=True, help_text="Who created it (actor).")
    owned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The user it belongs to: a TMF hub listener is read and removed by its owner (or staff allowed to).",
    )
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "core_subscription"  # the table it had in core (docs/architecture.md: moved, not copied)
        ordering = ["id"]
        permissions = [("register_hub_listener", "Can register TMF638 hub listeners, read and remove its own")]

    def __str__(self) -> str:
        return self.name or self.target_url


class Delivery(models.Model):
    """One event for one subscription: the outbox row. ``event_id`` is the ``webhook-id`` (the same on every
    retry). ``payload`` is ``{}`` until the worker first sends it: it is rendered then, from the change and the
    object as it was at the change (``core.changes.rendering``), and stored, so a later retry sends the same."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Given up"

    id = models.BigAutoField(primary_key=True)
    event_id = models.CharField(max_length=64, db_index=True)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    change = models.ForeignKey(Change, null=True, on_delete=models.SET_NULL, related_name="deliveries")
    event_type = models.CharField(max_length=100, db_index=True)
    object_key = models.CharField(max_length=200, help_text="object_type:object_id (ordering key)")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "core_delivery"  # the table it had in core (docs/architecture.md: moved, not copied)
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="core_delivery_due"),
            # The outbox's hot paths read pending rows only: partial indexes stay small however long the log is.
            # In id order, to claim the oldest first and stop at a batch; per object, to find who is first in line.
            models.Index(fields=["id"], condition=models.Q(status="pending"), name="core_delivery_pending"),
            models.Index(
                fields=["subscription", "object_key", "id"],
                condition=models.Q(status="pending"),
                name="core_delivery_pending_object",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.subscription_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One HTTP attempt of a delivery: when, the answer's status, how long it took, the start of its body."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now, db_index=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        db_table = "core_deliveryattempt"  # the table it had in core (docs/architecture.md: moved, not copied)
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error[:40]}"
