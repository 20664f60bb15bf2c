"""Blackout policies (BMC Helix events-service) and the events they black out."""

import json
import uuid
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper

from core.errors import Invalid

from . import policy_input, windows
from .precedence import PolicyQuerySet


class TimeframeState(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    INACTIVE = "INACTIVE", "Inactive (scheduled)"
    EXPIRED = "EXPIRED", "Expired"


@lru_cache(maxsize=20000)
def _timeframe_from_json(text: str) -> windows.Timeframe:
    return windows.parse_timeframe(json.loads(text))


def field_errors(exc: Invalid) -> ValidationError:
    """A policy error as errors on model fields: ``timeframe.endsOn.endDate`` is shown on ``timeframe`` as
    ``[Path '/endsOn/endDate'] ...`` (the pointer below timeframeDetails, as the API says it)."""
    by_field: dict[str, list[str]] = {}
    for path, text in exc.errors or [("", exc.message)]:
        name, _, rest = (path or "__all__").partition(".")
        by_field.setdefault(name, []).append(f"[Path '/{rest.replace('.', '/')}'] {text}" if rest else text)
    return ValidationError(by_field, code=exc.code)


class BlackoutPolicy(models.Model):
    """During its windows (``timeframe``, computed in the IANA zone), events matching ``selector_criteria``
    are blacked out. ``applied_*`` record the window edge the transitions last applied (crash-safe ticks)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    execution_order = models.PositiveIntegerField(
        default=9999, validators=[MinValueValidator(0), MaxValueValidator(9999)], help_text="Lowest wins (0-9999)."
    )
    selector_criteria = models.TextField(help_text="eventSelectorCriteria, e.g. ( class equals 'EVENT' )")
    selector_id = models.UUIDField(default=uuid.uuid4, editable=False, help_text="The spec's `selector`.")
    enabled = models.BooleanField(default=False)
    owner = models.CharField(max_length=150, blank=True, default="")
    read_only = models.BooleanField(default=False)
    tenant_id = models.CharField(max_length=64, default="194864176")
    configuration_id = models.UUIDField(default=uuid.uuid4, editable=False)
    config_order = models.IntegerField(default=0)
    timeframe = models.JSONField(help_text="timeframeDetails as sent (normalised booleans).")
    blackout_existing_events = models.BooleanField(default=False)
    reset_status_on_blackout_end = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    # Schedule cache: the current or next window (null: none left). Refreshed on save and by the tick.
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    # What the transitions applied: the window whose start was applied (null: none open) and the last edge.
    applied_start = models.DateTimeField(null=True, blank=True)
    applied_end = models.DateTimeField(null=True, blank=True)
    applied_edge = models.DateTimeField(null=True, blank=True)
    # Set by the window tick when the policy's window cannot be applied (the others go on); cleared by any edit,
    # enable or disable. A policy in error is skipped by the tick until then.
    apply_error = models.TextField(blank=True, default="", help_text="Why the window tick could not apply it.")
    apply_error_at = models.DateTimeField(null=True, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "blackout policies"
        ordering = ["execution_order", "name"]  # lists; the rule itself is PolicyQuerySet.by_precedence
        constraints = [
            models.UniqueConstraint(fields=["name"], name="%(app_label)s_%(class)s_unique_name"),
            models.CheckConstraint(
                condition=models.Q(execution_order__gte=0, execution_order__lte=9999),
                name="%(app_label)s_%(class)s_execution_order_range",
            ),
        ]
        indexes = [
            models.Index(fields=["enabled", "window_start"], name="blackouts_policy_enabled_win"),
            models.Index(fields=["modified_at"], name="blackouts_policy_modified"),
            # The search's other sort orders (name has its unique index): a page is read in index order.
            models.Index(fields=["execution_order", "id"], name="blackouts_policy_exec_order"),
            models.Index(fields=["created_at", "id"], name="blackouts_policy_created"),
            # Not for look-ups: PostgreSQL gathers statistics on an indexed expression, so it knows how many names
            # the search's UPPER(name) LIKE '%text%' keeps and reads a page in index order (without them it
            # guessed a long text kept almost none, and scanned and sorted every policy: 80 ms at 100,000).
            models.Index(Upper("name"), name="blackouts_policy_name_upper"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def parsed_timeframe(self) -> windows.Timeframe:
        return _timeframe_from_json(json.dumps(self.timeframe, sort_keys=True))

    INPUT_FIELDS = (
        "name",
        "description",
        "execution_order",
        "selector_criteria",
        "enabled",
        "timeframe",
        "blackout_existing_events",
        "reset_status_on_blackout_end",
    )

    def clean_fields(self, exclude=None):
        """Field checks, then the one policy validator (``policy_input``) on the fields not already refused,
        so each error shows once, on its own field."""
        exclude = set(exclude or ())
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        fields = {name: getattr(self, name) for name in self.INPUT_FIELDS}
        try:
            cleaned = policy_input.clean_policy(fields, skip=exclude | set(errors))
        except Invalid as exc:
            errors = field_errors(exc).update_error_dict(errors)
        else:
            self.timeframe = cleaned["timeframe"]
        if errors:
            raise ValidationError(errors)


class EventStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    ACK = "ACK", "Acknowledged"
    ASSIGNED = "ASSIGNED", "Assigned"
    CLOSED = "CLOSED", "Closed"
    BLACKOUT = "BLACKOUT", "Blackout"


class Severity(models.TextChoices):
    CRITICAL = "CRITICAL", "Critical"
    MAJOR = "MAJOR", "Major"
    MINOR = "MINOR", "Minor"
    WARNING = "WARNING", "Warning"
    INFO = "INFO", "Info"
    OK = "OK", "OK"
    UNKNOWN = "UNKNOWN", "Unknown"


class Event(models.Model):
    """An incoming event. ``previous_status`` and ``blackout_policy`` remember what a blackout replaced."""

    identifier = models.CharField(
        "identifier", max_length=255, blank=True, default="", db_index=True, help_text="The event's `_identifier` slot."
    )
    event_class = models.CharField("class", max_length=128, default="EVENT")
    msg = models.TextField(blank=True, default="")
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.INFO)
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.OPEN)
    previous_status = models.CharField(max_length=16, choices=EventStatus.choices, blank=True, default="")
    source_hostname = models.CharField(max_length=255, blank=True, default="")
    source_identifier = models.CharField(max_length=255, blank=True, default="")
    repeat_count = models.IntegerField(default=0)
    slots = models.JSONField(default=dict, blank=True, help_text="Free-form slots (text values).")
    blackout_policy = models.ForeignKey(  # no index of its own: blackouts_event_policy_status leads with it
        BlackoutPolicy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blacked_out_events",
        db_index=False,
    )
    blacked_out_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "event_class"], name="blackouts_event_status_class"),
            models.Index(fields=["blackout_policy", "status"], name="blackouts_event_policy_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event_class} {self.identifier or self.pk} ({self.status})"

    def as_selector_input(self) -> dict:
        return {
            "class": self.event_class,
            "msg": self.msg,
            "severity": self.severity,
            "status": self.status,
            "_identifier": self.identifier,
            "source_hostname": self.source_hostname,
            "source_identifier": self.source_identifier,
            "repeat_count": self.repeat_count,
            "slots": self.slots,
        }
