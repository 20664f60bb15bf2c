"""Outage events reported by outage management systems (OMS), their impacted customers and the message log."""

from django.db import models

from core.datetimes import validate_storable_datetime
from core.errors import Invalid


# The widest span every database and Python can store, read back and convert to any UTC offset: one day inside
# Python's own limits on each side (a "+14:00" on 1 January of year 1 is a BC instant in UTC).
class OutageType(models.TextChoices):
    PLANNED = "C1PL", "Planned"
    UNPLANNED = "C1UP", "Unplanned"


class OutageState(models.TextChoices):
    """Derived from the last applied message: discarded wins, then a completion time means restored."""

    ACTIVE = "active", "Active"
    RESTORED = "restored", "Restored"
    DISCARDED = "discarded", "Discarded"


class CharacteristicValueType(models.TextChoices):
    """Four-character codes, padding included, as the spec spells them: stored canonical, matched trimmed."""

    ADHOC = "ADV ", "Adhoc value"
    PREDEFINED = "DFV ", "Predefined value"
    FOREIGN_KEY = "FKV ", "Foreign key value"
    FILE_LOCATION = "FLV ", "File location value"


class MessageOutcome(models.TextChoices):
    APPLIED = "applied", "Applied"
    STALE = "stale", "Stale"
    REJECTED = "rejected", "Rejected"


class ExternalSystem(models.Model):
    """An outage management system allowed to post outage events (the spec's External System record)."""

    name = models.CharField(max_length=30, unique=True, help_text="As sent in `externalSystem`.")
    description = models.CharField(max_length=254, blank=True)
    is_active = models.BooleanField(default=True, help_text="Inactive systems are refused with 400.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "external system"

    def __str__(self) -> str:
        return self.name


class OutageEvent(models.Model):
    """One outage event, keyed by (external system, external outage id); upserted by each applied message."""

    external_system = models.ForeignKey(ExternalSystem, on_delete=models.PROTECT, related_name="outage_events")
    external_outage_id = models.CharField("outage id", max_length=254)
    outage_type = models.CharField(max_length=4, choices=OutageType.choices, blank=True)
    message_reference = models.CharField(
        max_length=254, blank=True, help_text="Highest reference applied; lower ones are stale."
    )
    start_date_time = models.DateTimeField("start", null=True, blank=True, validators=[validate_storable_datetime])
    estimated_restoration_time = models.DateTimeField(
        "ETR", null=True, blank=True, validators=[validate_storable_datetime]
    )
    completion_date_time = models.DateTimeField(
        "completion", null=True, blank=True, validators=[validate_storable_datetime]
    )
    discarded = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=OutageState.choices, default=OutageState.ACTIVE)
    impacted_customers = models.PositiveIntegerField(
        null=True, blank=True, help_text="As the OMS reports it (`impactedCustomers`)."
    )
    customer_count = models.PositiveIntegerField(default=0, help_text="Customers in the stored list.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date_time", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_system", "external_outage_id"],
                name="%(app_label)s_%(class)s_unique_external_system_external_outage_id",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "completion_date_time"], name="outages_event_state_completion"),
            models.Index(fields=["start_date_time"], name="outages_event_start"),
        ]

    def __str__(self) -> str:
        # The system's name and the OMS's outage id, as staff know them (never the system's row id).
        return f"{self.external_system.name} / {self.external_outage_id}"

    @staticmethod
    def derive_state(*, discarded: bool, completion_date_time) -> str:
        """The one rule of an outage's state: discarded wins, then a completion time means restored."""
        if discarded:
            return OutageState.DISCARDED
        if completion_date_time is not None:
            return OutageState.RESTORED
        return OutageState.ACTIVE

    def times_error(self) -> Invalid | None:
        """The one rule between an outage's times: the ETR is not before the start (a completion may be: a
        planned outage can be cancelled before it starts). ``None`` when the times agree."""
        start, etr = self.start_date_time, self.estimated_restoration_time
        if start is not None and etr is not None and etr < start:
            return Invalid(
                "The estimated restoration time is before the start.",
                code="outages.etr_before_start",
                field="estimated_restoration_time",
            )
        return None

    def clean(self) -> None:
        super().clean()
        error = self.times_error()
        if error is not None:
            raise error.as_validation_error()


class OutageCharacteristic(models.Model):
    """A characteristic of an event; the list is replaced by each message that carries one."""

    event = models.ForeignKey(OutageEvent, on_delete=models.CASCADE, related_name="characteristics")
    position = models.PositiveIntegerField(default=0)
    characteristic_type = models.CharField(max_length=8, blank=True)
    type_of_characteristic_value = models.CharField(
        max_length=4, blank=True, choices=CharacteristicValueType.choices, help_text='Canonical, e.g. "ADV ".'
    )
    sequence = models.IntegerField(null=True, blank=True)
    value = models.CharField(max_length=254, blank=True)
    value2 = models.CharField(max_length=50, blank=True)
    value3 = models.CharField(max_length=50, blank=True)
    value4 = models.CharField(max_length=50, blank=True)
    value5 = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["event", "position"]

    def __str__(self) -> str:
        return f"{self.characteristic_type}={self.value}"


class OutageDetail(models.Model):
    """An `additionalDetails` name/value pair; the list is replaced by each message that carries one."""

    event = models.ForeignKey(OutageEvent, on_delete=models.CASCADE, related_name="details")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=254, blank=True)
    value = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["event", "position"]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class OutageCustomer(models.Model):
    """A customer (account and/or service point) impacted by an event. Blank, never NULL, so the key is unique."""

    # No separate index on event: the unique (event, account_id, sp_id) index serves it (one index less per row).
    event = models.ForeignKey(OutageEvent, on_delete=models.CASCADE, related_name="customers", db_index=False)
    account_id = models.CharField("account id", max_length=10, blank=True, default="")
    sp_id = models.CharField("service point id", max_length=10, blank=True, default="")

    class Meta:
        ordering = ["event", "account_id", "sp_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "account_id", "sp_id"], name="%(app_label)s_%(class)s_unique_event_account_id_sp_id"
            ),
        ]
        indexes = [
            models.Index(fields=["account_id"], name="outages_customer_account"),
            models.Index(fields=["sp_id"], name="outages_customer_sp"),
        ]

    def __str__(self) -> str:
        return f"account {self.account_id or '-'} / SP {self.sp_id or '-'}"


class OutageMessage(models.Model):
    """Every received outage message, applied or refused, with its payload: nothing an OMS sent is lost."""

    received_at = models.DateTimeField(db_index=True)
    request_id = models.UUIDField(help_text="Messages of one request share it.")
    index = models.PositiveIntegerField(default=0, help_text="Position in `outageMessages`.")
    external_system_name = models.CharField("external system", max_length=254, blank=True)
    external_outage_id = models.CharField("outage id", max_length=254, blank=True, db_index=True)
    message_reference = models.CharField(max_length=254, blank=True)
    event = models.ForeignKey(
        OutageEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages", db_index=True
    )
    outcome = models.CharField(max_length=10, choices=MessageOutcome.choices)
    reason = models.TextField(blank=True)
    received_by = models.CharField(max_length=150, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    payload = models.TextField(
        help_text="The message as received (JSON), or the raw body when it did not parse. A refused message keeps "
        "at most OUTAGES_LOG_BODY_LIMIT bytes of it."
    )
    payload_bytes = models.PositiveBigIntegerField(
        "payload size", null=True, blank=True, help_text="Refused messages: the size of the whole payload, in bytes."
    )
    payload_sha256 = models.CharField(
        "payload SHA-256", max_length=64, blank=True, help_text="Refused messages: the SHA-256 of the whole payload."
    )
    payload_truncated = models.BooleanField(
        default=False, help_text="Refused messages: only the first OUTAGES_LOG_BODY_LIMIT bytes are kept."
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "outage message"
        indexes = [models.Index(fields=["event", "received_at"], name="outages_message_event_received")]

    def __str__(self) -> str:
        return f"{self.external_outage_id or '?'} #{self.message_reference or '-'} {self.outcome}"


class OutageCustomerSpell(models.Model):
    """A span during which a customer was on an outage's list: the history the reliability indices read.

    Written with the list (``services.customers``): a customer the event's first list names gets ``added_at``
    NULL (out since the outage's start); one a later message adds (an increment, or a full list naming it for the
    first time) gets the time that message was received; a full list that no longer names a customer sets
    ``dropped_at`` (a step restoration). A customer dropped and named again gets a new spell.
    """

    event = models.ForeignKey(OutageEvent, on_delete=models.CASCADE, related_name="spells", db_index=False)
    account_id = models.CharField("account id", max_length=10, blank=True, default="")
    sp_id = models.CharField("service point id", max_length=10, blank=True, default="")
    added_at = models.DateTimeField(null=True, blank=True, help_text="NULL: in the outage's first list.")
    dropped_at = models.DateTimeField(null=True, blank=True, help_text="NULL: still listed.")

    class Meta:
        ordering = ["event", "account_id", "sp_id", "pk"]
        verbose_name = "outage customer spell"
        indexes = [
            models.Index(fields=["event", "account_id", "sp_id"], name="outages_spell_event_customer"),
        ]

    def __str__(self) -> str:
        return f"account {self.account_id or '-'} / SP {self.sp_id or '-'} ({self.added_at} - {self.dropped_at})"
