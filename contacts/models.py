"""Customer contacts: one notification sent to a customer, its delivery status and the status history.

The codes are the spec's, including their padding (``"SMS "``, ``"NMS "``): the wire accepts them trimmed or
padded and always stores and returns the spec's form, so filters and the admin see one value per code.
"""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models

from core.errors import Invalid

INVALID_DELIVERY_VALUE = "contacts.invalid_delivery_value"


class DeliveryChannel(models.TextChoices):
    EMAIL = "EMAI", "Email"
    FAX = "FAX ", "Fax"
    IVR = "IVR ", "IVR"
    SMS = "SMS ", "SMS"


class Origin(models.TextChoices):
    CCB = "C1CB", "Customer Care and Billing"
    NMS = "NMS ", "Network Management System"


class ContactStatus(models.TextChoices):
    AUTO_OPENED = "C1AP", "Auto Opened"
    BOUNCED = "C1BN", "Bounced"
    CLICKED = "C1CK", "Clicked"
    DELIVERED = "C1DV", "Delivered"
    ERROR_SENDING = "C1ES", "Error Sending"
    FAILED = "C1FL", "Failed"
    NOT_SENT = "C1NS", "Not Sent"
    OPENED = "C1OP", "Opened"
    PENDING = "C1PN", "Pending"
    SKIPPED = "C1SK", "Skipped"
    SENT = "C1ST", "Sent"


class IdentifierType(models.TextChoices):
    EXTERNAL = "C1EX", "External Identifier"
    NOTIFICATION_SYSTEM = "C1NS", "Notification System Identifier"
    ORIGINATING_SYSTEM = "C1OS", "Originating System Identifier"


PHONE_CHANNELS = {"SMS ", "IVR ", "FAX "}


def delivery_value_error(channel: str, value: str) -> str | None:
    """Why ``value`` cannot be the contact information of ``channel`` (None when it fits or either is unset).

    ``EMAI`` needs an e-mail address; ``SMS``, ``IVR`` and ``FAX`` a phone number, international (``+31 6 ...``)
    or national in ``CONTACTS_PHONE_REGION`` (default US).
    """
    if not channel or not value:
        return None
    if channel == DeliveryChannel.EMAIL:
        try:
            EmailValidator()(value)
        except ValidationError:
            return f'"{value}" is not an e-mail address (deliveryChannel EMAI).'
        return None
    if channel in PHONE_CHANNELS:
        region = getattr(settings, "CONTACTS_PHONE_REGION", "US")
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            return f'"{value}" is not a phone number (deliveryChannel {channel.strip()}).'
    return None


def delivery_value_check(channel: str, value: str) -> None:
    """Raise :class:`~core.errors.Invalid` (``contacts.invalid_delivery_value``, on ``delivery_value``) when
    ``value`` does not fit ``channel``: the one rule the model, the services and every door share."""
    error = delivery_value_error(channel, value)
    if error:
        raise Invalid(error, code=INVALID_DELIVERY_VALUE, field="delivery_value", channel=channel, value=value)


class CustomerContact(models.Model):
    """A customer notification reported by a notification platform (or the OMS), keyed by its external id.

    ``cc_id`` is the system-assigned Customer Contact ID: 10 random digits, unique, never changed.
    ``status``/``reason``/``event_captured_at`` are the current status: the one with the latest capture time.
    """

    external_cc_id = models.CharField("external CC id", max_length=120)
    cc_id = models.CharField("CC id", max_length=10, editable=False)
    account_id = models.CharField("account id", max_length=10, blank=True, default="")
    person_id = models.CharField("person id", max_length=10, blank=True, default="")
    contact_id = models.CharField("person contact", max_length=10, blank=True, default="")
    delivery_channel = models.CharField(max_length=4, choices=DeliveryChannel.choices, blank=True, default="")
    delivery_value = models.CharField("contact information", max_length=254, blank=True, default="")
    email_subject = models.CharField(max_length=256, blank=True, default="")
    notification_instance_id = models.CharField(max_length=32, blank=True, default="")
    notification_preference_id = models.CharField("communication preference", max_length=14, blank=True, default="")
    notification_type = models.CharField(max_length=30, blank=True, default="")
    origin = models.CharField(max_length=4, choices=Origin.choices, blank=True, default="")
    status = models.CharField(max_length=4, choices=ContactStatus.choices, blank=True, default="")
    reason = models.CharField("status reason", max_length=500, blank=True, default="")
    event_captured_at = models.DateTimeField("event captured", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-event_captured_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["external_cc_id"], name="%(app_label)s_%(class)s_unique_external_cc_id"),
            models.UniqueConstraint(fields=["cc_id"], name="%(app_label)s_%(class)s_unique_cc_id"),
        ]
        indexes = [
            models.Index(fields=["account_id"], name="contacts_cc_account_idx"),
            models.Index(fields=["person_id"], name="contacts_cc_person_idx"),
            models.Index(fields=["status", "event_captured_at"], name="contacts_cc_status_idx"),
            models.Index(fields=["event_captured_at"], name="contacts_cc_captured_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.external_cc_id} ({self.cc_id})"

    def clean(self) -> None:
        try:
            delivery_value_check(self.delivery_channel, self.delivery_value)
        except Invalid as exc:
            raise exc.as_validation_error() from None


class CustomerContactIdentifier(models.Model):
    """One ``customerContactIdentifier[]`` item; the list is replaced as a whole on every update that sends it."""

    contact = models.ForeignKey(CustomerContact, on_delete=models.CASCADE, related_name="identifiers")
    position = models.PositiveSmallIntegerField(default=0)
    external_ref_id = models.CharField("external reference", max_length=120, blank=True, default="")
    identifier_type = models.CharField(max_length=4, choices=IdentifierType.choices, blank=True, default="")

    class Meta:
        ordering = ["contact", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "position"], name="%(app_label)s_%(class)s_unique_contact_position"
            )
        ]
        indexes = [models.Index(fields=["external_ref_id"], name="contacts_cci_external_ref_idx")]

    def __str__(self) -> str:
        return f"{self.identifier_type.strip() or '-'}: {self.external_ref_id}"


class TemplateParameter(models.Model):
    """One ``templateData`` key/value pair; the set is replaced as a whole on every update that sends it."""

    contact = models.ForeignKey(CustomerContact, on_delete=models.CASCADE, related_name="template_data")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.CharField(max_length=254, blank=True, default="")
    value = models.CharField(max_length=254, blank=True, default="")

    class Meta:
        ordering = ["contact", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "position"], name="%(app_label)s_%(class)s_unique_contact_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class ContactStatusEvent(models.Model):
    """Every distinct status report received for a contact, in or out of order.

    ``applied`` says whether it became the contact's current status; an event captured before the current one
    is kept here with ``applied=False`` (a late "Sent" never turns a "Clicked" contact back).
    """

    contact = models.ForeignKey(CustomerContact, on_delete=models.CASCADE, related_name="status_events")
    status = models.CharField(max_length=4, choices=ContactStatus.choices)
    reason = models.CharField(max_length=500, blank=True, default="")
    event_captured_at = models.DateTimeField("event captured", null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    applied = models.BooleanField(default=True, help_text="Became the current status when received.")

    class Meta:
        ordering = ["contact", "-received_at", "-id"]
        indexes = [models.Index(fields=["contact", "status", "event_captured_at"], name="contacts_cse_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} @ {self.event_captured_at or 'unknown time'}"
