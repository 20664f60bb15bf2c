"""Digital Asset programs, the customers and service points enrolled in them, and unenrollment requests.

Customers, premises and service points mirror the CIS (Customer Information System): the wire API resolves
them from what a caller knows, it never creates them. Enrollments and unenrollments are this system's own.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from .keys import ADDRESS_KEY, NAME_KEY
from .rules import END_AFTER_START


class EnrollmentStatus(models.TextChoices):
    PENDING = "PENDING", "Pending (starts on its start date)"
    ENROLLED = "ENROLLED", "Enrolled"
    PENDING_UNENROLL = "PENDING_UNENROLL", "Pending unenrollment (ends on its end date)"
    UNENROLLED = "UNENROLLED", "Unenrolled"


ACTIVE_STATUSES = (EnrollmentStatus.PENDING, EnrollmentStatus.ENROLLED, EnrollmentStatus.PENDING_UNENROLL)


def enrollment_status(*, start_date: date, today: date, end_date: date | None = None, ending: bool = False) -> str:
    """The status an enrollment's dates give it (the one place this rule is written).

    Not ending: ``PENDING`` until its start date, then ``ENROLLED``. Ending (an accepted unenrollment set its end
    date): ``PENDING_UNENROLL`` until its end date, then ``UNENROLLED``. The daily task applies the same rule
    set-based (``services.unenrollment_complete_due``).
    """
    if ending:
        return EnrollmentStatus.UNENROLLED if end_date <= today else EnrollmentStatus.PENDING_UNENROLL
    return EnrollmentStatus.PENDING if start_date > today else EnrollmentStatus.ENROLLED


class UnenrollReason(models.TextChoices):
    LSSL = "LSSL", "Life Support / Sensitive Load"
    CUSTOMEROPTOUT = "CUSTOMEROPTOUT", "Customer Initiated Opt-Out"
    INACTIVESERVICE = "INACTIVESERVICE", "Inactive Service"
    INELIGIBLERATE = "INELIGIBLERATE", "Ineligible Rate"


class AssetOwnership(models.TextChoices):
    W1CO = "W1CO", "Customer Owned"
    W1OW = "W1OW", "Utility Owned"


class RemovalMethod(models.TextChoices):
    X1KP = "X1KP", "Keep"
    X1SD = "X1SD", "Ship Device"
    X1UR = "X1UR", "Utility Removal"


class UnenrollmentStatus(models.TextChoices):
    PENDING = "PENDING", "Pending (end date in the future)"
    COMPLETED = "COMPLETED", "Completed"
    ERROR = "ERROR", "Error (not resolved)"


class DeviceStatus(models.TextChoices):
    INSTALLED = "INSTALLED", "Installed"
    KEPT = "KEPT", "Kept by the customer"
    RETURN_REQUESTED = "RETURN_REQUESTED", "Return requested (ship device)"
    REMOVAL_SCHEDULED = "REMOVAL_SCHEDULED", "Utility removal scheduled"


class Program(models.Model):
    """A Digital Asset program (demand response, smart thermostat, battery, EV charging...)."""

    program_id = models.CharField("program id", max_length=12, unique=True)
    name = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField("open for enrollment", default=True)

    class Meta:
        ordering = ["program_id"]

    def __str__(self) -> str:
        return self.program_id


class Customer(models.Model):
    """A CIS customer: an account and the person on it. ``name_key`` is the normalised name for lookups."""

    # Looked up through the (account, person) unique index; the person id has its own.
    cis_account_id = models.CharField("CIS account id", max_length=30, blank=True)
    cis_person_id = models.CharField("CIS person id", max_length=30, blank=True)
    name = models.CharField(max_length=254)
    name_key = models.CharField(max_length=254, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        # Equality look-ups only: Meta indexes, so PostgreSQL gets no second `varchar_pattern_ops` ("_like") index
        # per column, which no query uses and every insert pays for (a million-row import, docs/benchmarks.md).
        indexes = [
            models.Index(fields=["cis_person_id"], name="enrollments_customer_person"),
            models.Index(fields=["name_key"], name="enrollments_customer_name_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cis_account_id", "cis_person_id"],
                name="%(app_label)s_%(class)s_unique_account_person",
                violation_error_message="Another customer already has this CIS account id and person id.",
            ),
        ]

    def __str__(self) -> str:
        ids = "/".join(value for value in (self.cis_account_id, self.cis_person_id) if value)
        return f"{self.name} ({ids})" if ids else self.name

    def save(self, *args, **kwargs):
        self.derive_keys()
        super().save(*args, **kwargs)

    def derive_keys(self) -> None:
        """Set ``name_key`` from ``name`` (every write path, bulk ones included, calls this)."""
        self.name_key = NAME_KEY.of(self)


class Premise(models.Model):
    """A CIS premise: where service points are. ``address_key`` makes address resolution an index lookup."""

    cis_premise_id = models.CharField("CIS premise id", max_length=60, unique=True)
    address1 = models.CharField(max_length=254, blank=True)
    address2 = models.CharField(max_length=254, blank=True)
    address3 = models.CharField(max_length=254, blank=True)
    address4 = models.CharField(max_length=254, blank=True)
    city = models.CharField(max_length=90, blank=True)
    county = models.CharField(max_length=90, blank=True)
    state = models.CharField(max_length=6, blank=True)
    postal = models.CharField(max_length=12, blank=True)
    country = models.CharField(max_length=3, blank=True)
    division = models.CharField(max_length=30, blank=True)
    time_zone = models.CharField(max_length=10, blank=True)
    address_key = models.CharField(max_length=1200, editable=False)

    class Meta:
        ordering = ["cis_premise_id"]
        indexes = [models.Index(fields=["address_key"], name="enrollments_premise_address")]  # no "_like" twin

    def __str__(self) -> str:
        return f"{self.cis_premise_id} {self.address1}, {self.city}"

    def save(self, *args, **kwargs):
        self.derive_keys()
        super().save(*args, **kwargs)

    def derive_keys(self) -> None:
        """Set ``address_key`` from the address lines (every write path, bulk ones included, calls this)."""
        self.address_key = ADDRESS_KEY.of(self)


class ServicePoint(models.Model):
    """A CIS metered service point at a premise: what a program's devices are attached to."""

    cis_service_point_id = models.CharField("CIS service point id", max_length=60, unique=True)
    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="service_points")
    service_type = models.CharField(max_length=30, blank=True, default="E")

    class Meta:
        ordering = ["cis_service_point_id"]

    def __str__(self) -> str:
        return self.cis_service_point_id


class ServiceAgreement(models.Model):
    """A CIS service agreement: this customer (account) has service at this service point.

    What lets a name with an address resolve to the customer at that address: several customers may share a
    name, rarely a service point.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="agreements")
    service_point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="agreements")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_point", "customer"],
                name="%(app_label)s_%(class)s_unique_service_point_customer",
                violation_error_message="This customer already has service at this service point.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} at {self.service_point}"


class Enrollment(models.Model):
    """A customer's service point in a program, from its start date to its (scheduled) end date.

    At most one active (pending, enrolled or pending unenrollment) enrollment per customer, service point and
    program; an unenrolled one stays as history and does not block a new enrollment.
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="enrollments")
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="enrollments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=16, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ENROLLED)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    transaction_id = models.CharField(max_length=120, blank=True, help_text="External transaction id of the enroll")
    request_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "service_point", "program"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="%(app_label)s_%(class)s_unique_customer_service_point_program_active",
                violation_error_message=(
                    "This customer already has an active enrollment in this program at this service point."
                ),
            ),
            models.UniqueConstraint(
                fields=["transaction_id"],
                condition=~Q(transaction_id=""),
                name="%(app_label)s_%(class)s_unique_transaction_id",
                violation_error_message="Another enrollment already has this transaction id.",
            ),
            models.CheckConstraint(
                condition=END_AFTER_START,
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"], name="enrollments_program_status"),
            models.Index(fields=["status", "end_date"], name="enrollments_status_end_date"),
        ]

    def __str__(self) -> str:
        return f"enrollment {self.pk} ({self.status})"


class Device(models.Model):
    """A controllable device (thermostat, battery, charger) installed for an enrollment."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="devices")
    serial_number = models.CharField(max_length=60)
    asset_type = models.CharField(max_length=30, blank=True)
    asset_ownership = models.CharField(max_length=4, choices=AssetOwnership.choices)
    status = models.CharField(max_length=20, choices=DeviceStatus.choices, default=DeviceStatus.INSTALLED)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "serial_number"],
                name="%(app_label)s_%(class)s_unique_enrollment_serial_number",
                violation_error_message="This enrollment already has a device with this serial number.",
            ),
        ]

    def __str__(self) -> str:
        return self.serial_number


class Unenrollment(models.Model):
    """One unenrollment request as received (``X1-DAUnenrol``): resolved, scheduled, completed or in error.

    ``request_hash`` fingerprints the request body, so that a retried ``transactionId`` returns this record and
    a reused one with another body is refused.
    """

    transaction_id = models.CharField(max_length=120, blank=True)
    request_hash = models.CharField(max_length=64, editable=False)
    request_body = models.JSONField(default=dict, editable=False)
    status = models.CharField(max_length=12, choices=UnenrollmentStatus.choices)
    reason = models.CharField(max_length=15, choices=UnenrollReason.choices, blank=True)
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, null=True, blank=True, related_name="unenrollments"
    )
    program_id = models.CharField("program id (as sent)", max_length=12, blank=True)
    end_date = models.DateField(null=True, blank=True)
    asset_ownership = models.CharField(max_length=4, choices=AssetOwnership.choices, blank=True)
    removal_method = models.CharField(max_length=4, choices=RemovalMethod.choices, blank=True)
    # Why an ERROR unenrollment was refused: the domain error's code and message (api/errors.py maps the code
    # to the wire's message number).
    error_code = models.CharField(max_length=60, blank=True)
    expanded_message = models.CharField("message", max_length=254, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction_id"],
                condition=~Q(transaction_id=""),
                name="%(app_label)s_%(class)s_unique_transaction_id",
                violation_error_message="Another unenrollment already has this transaction id.",
            ),
        ]
        indexes = [models.Index(fields=["status", "end_date"], name="unenrollments_status_end_date")]

    def __str__(self) -> str:
        return f"{self.pk} {self.transaction_id or '-'} {self.status}"


class Appointment(models.Model):
    """A crew visit booked from an offered slot, to remove the devices of a utility-removal unenrollment."""

    unenrollment = models.OneToOneField(Unenrollment, on_delete=models.CASCADE, related_name="appointment")
    activity_type = models.CharField(max_length=30, blank=True)
    crew_id = models.CharField(max_length=12, blank=True, db_index=True)
    crew_shift_id = models.CharField(max_length=14, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    work_availability_hours = models.DecimalField(max_digits=13, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message="The appointment must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_type or 'visit'} {self.start:%Y-%m-%d %H:%M} {self.crew_id}"


class DeviceReturn(models.Model):
    """A device the customer ships back (removal method ``X1SD``)."""

    class Status(models.TextChoices):
        REQUESTED = "REQUESTED", "Requested"
        RECEIVED = "RECEIVED", "Received"

    unenrollment = models.ForeignKey(Unenrollment, on_delete=models.CASCADE, related_name="device_returns")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    created_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unenrollment", "device"],
                name="%(app_label)s_%(class)s_unique_unenrollment_device",
                violation_error_message="This device is already being returned for this unenrollment.",
            )
        ]

    def __str__(self) -> str:
        return f"return of {self.device_id} ({self.status})"
