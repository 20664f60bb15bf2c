"""What changes enrollment data: enroll, unenroll (resolve, schedule or complete, arrange device removal), and
the daily completion of due unenrollments. Views, admin actions and tasks call these functions.
"""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import messages, selectors
from .messages import BusinessError
from .models import (
    ACTIVE_STATUSES,
    Appointment,
    Device,
    DeviceReturn,
    DeviceStatus,
    Enrollment,
    EnrollmentStatus,
    Program,
    RemovalMethod,
    Unenrollment,
    UnenrollmentStatus,
)


class TransactionConflict(Exception):
    """The ``transactionId`` was already used with a different request body."""

    def __init__(self, transaction_id: str, kind: str):
        super().__init__(f"transactionId {transaction_id} was already used for a different {kind} request.")
        self.transaction_id = transaction_id


def request_fingerprint(data: dict) -> str:
    """A stable hash of a validated request: the same body in JSON or XML gives the same fingerprint."""
    canonical = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _json_safe(data: dict) -> dict:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _replay(model, *, transaction_id: str, fingerprint: str, kind: str):
    """The record a transaction id already produced, or ``None``; a different body is a conflict."""
    if not transaction_id:
        return None
    existing = model.objects.filter(transaction_id=transaction_id).first()
    if existing is not None and existing.request_hash != fingerprint:
        raise TransactionConflict(transaction_id, kind)
    return existing


# --- Unenrollment -------------------------------------------------------------------------------


def slot_first_usable(*, slots: list[dict], now: datetime) -> dict | None:
    """The first offered slot that can be booked, in the order offered.

    Usable: start and end given, end after start, start in the future, ``workAvailabilityDuration`` absent or
    above zero, and (when ``crewId`` is given) no appointment of that crew overlapping it.
    """
    candidates = [
        slot
        for slot in slots
        if slot.get("startDateTime")
        and slot.get("endDateTime")
        and slot["endDateTime"] > slot["startDateTime"]
        and slot["startDateTime"] > now
        and (slot.get("workAvailabilityDuration") is None or slot["workAvailabilityDuration"] > 0)
    ]
    if not candidates:
        return None
    crews = {(slot.get("crewId") or "").strip() for slot in candidates} - {""}
    booked: list[tuple[str, datetime, datetime]] = []
    if crews:
        low = min(slot["startDateTime"] for slot in candidates)
        high = max(slot["endDateTime"] for slot in candidates)
        booked = list(
            Appointment.objects.filter(crew_id__in=crews, start__lt=high, end__gt=low).values_list(
                "crew_id", "start", "end"
            )
        )
    for slot in candidates:
        crew = (slot.get("crewId") or "").strip()
        if crew and any(
            c == crew and start < slot["endDateTime"] and end > slot["startDateTime"] for c, start, end in booked
        ):
            continue
        return slot
    return None


def _arrange_removal(*, unenrollment: Unenrollment, enrollment: Enrollment, slot: dict | None) -> None:
    """Device actions of the removal method, set-based: keep, ship back (returns), or book a crew visit."""
    method = unenrollment.removal_method
    if not method:
        return
    devices = Device.objects.filter(enrollment=enrollment)
    if unenrollment.asset_ownership:
        devices = devices.filter(asset_ownership=unenrollment.asset_ownership)
    if method == RemovalMethod.X1KP:
        devices.update(status=DeviceStatus.KEPT)
    elif method == RemovalMethod.X1SD:
        device_ids = list(devices.values_list("pk", flat=True))
        DeviceReturn.objects.bulk_create(
            [DeviceReturn(unenrollment=unenrollment, device_id=pk) for pk in device_ids], ignore_conflicts=True
        )
        devices.update(status=DeviceStatus.RETURN_REQUESTED)
    elif method == RemovalMethod.X1UR and slot is not None:
        hours = slot.get("workAvailabilityDuration")
        Appointment.objects.create(
            unenrollment=unenrollment,
            activity_type=(slot.get("activityType") or "").strip(),
            crew_id=(slot.get("crewId") or "").strip(),
            crew_shift_id=(slot.get("crewShiftId") or "").strip(),
            start=slot["startDateTime"],
            end=slot["endDateTime"],
            work_availability_hours=None if hours is None else Decimal(str(round(hours, 2))),
        )
        devices.update(status=DeviceStatus.REMOVAL_SCHEDULED)


def _unenroll(*, record: Unenrollment, data: dict, today: date, now: datetime) -> Unenrollment:
    program_info = data["programInfo"]
    enrollment = None
    try:
        enrollment = selectors.enrollment_resolve(
            customer_info=data["customerInfo"],
            location_info=data["locationInfo"],
            program_id=program_info["programId"],
            for_update=True,
        )
        if enrollment.status == EnrollmentStatus.PENDING_UNENROLL:
            raise messages.business_error(messages.ALREADY_PENDING_UNENROLL, enrollment=enrollment)
        if record.end_date < enrollment.start_date:
            raise messages.business_error(messages.END_BEFORE_START, enrollment=enrollment)
        slot = None
        if record.removal_method == RemovalMethod.X1UR:
            slot = slot_first_usable(slots=data.get("appointmentSlots") or [], now=now)
            if slot is None:
                raise messages.business_error(messages.NO_USABLE_SLOT, enrollment=enrollment)
    except BusinessError as error:
        record.status = UnenrollmentStatus.ERROR
        record.enrollment = error.enrollment
        record.message_category = error.message.category
        record.message_number = error.message.number
        record.expanded_message = error.message.text[:254]
        record.save()
        return record

    completes = record.end_date <= today
    record.enrollment = enrollment
    record.status = UnenrollmentStatus.COMPLETED if completes else UnenrollmentStatus.PENDING
    record.completed_at = now if completes else None
    record.save()
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status=EnrollmentStatus.UNENROLLED if completes else EnrollmentStatus.PENDING_UNENROLL,
        end_date=record.end_date,
        updated_at=now,
    )
    _arrange_removal(unenrollment=record, enrollment=enrollment, slot=slot)
    return record


@transaction.atomic
def unenrollment_request(
    *, data: dict, requested_by=None, today: date | None = None, now: datetime | None = None
) -> tuple[Unenrollment, bool]:
    """Process one unenrollment request; return the unenrollment and whether it was created now.

    The request is always recorded: resolved (``PENDING`` until a future ``endDate``, else ``COMPLETED``) or
    ``ERROR`` with the business message. A repeated ``transactionId`` returns the first record unchanged;
    with a different body it raises ``TransactionConflict``.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    transaction_id = data.get("transactionId") or ""
    fingerprint = request_fingerprint(data)
    existing = _replay(Unenrollment, transaction_id=transaction_id, fingerprint=fingerprint, kind="unenroll")
    if existing is not None:
        return existing, False
    asset_info = data.get("assetInfo") or {}
    record = Unenrollment(
        transaction_id=transaction_id,
        request_hash=fingerprint,
        request_body=_json_safe(data),
        reason=data.get("unenrollReason") or "",
        program_id=data["programInfo"]["programId"],
        end_date=data["programInfo"].get("endDate") or today,
        asset_ownership=asset_info.get("assetOwnership") or "",
        removal_method=asset_info.get("removalMethod") or "",
        requested_by=requested_by if requested_by is not None and requested_by.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            return _unenroll(record=record, data=data, today=today, now=now), True
    except IntegrityError:
        # A concurrent request with the same transactionId won the race: answer with its record.
        existing = _replay(Unenrollment, transaction_id=transaction_id, fingerprint=fingerprint, kind="unenroll")
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def unenrollment_complete_due(*, today: date | None = None) -> int:
    """End every pending unenrollment whose end date has come (today or a missed day); return how many.

    Idempotent: a second run finds nothing due. Pending enrollments whose start date has come start too.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    due = Unenrollment.objects.filter(status=UnenrollmentStatus.PENDING, end_date__lte=today)
    Enrollment.objects.filter(
        pk__in=due.values("enrollment_id"), status=EnrollmentStatus.PENDING_UNENROLL, end_date__lte=today
    ).update(status=EnrollmentStatus.UNENROLLED, updated_at=now)
    completed = due.update(status=UnenrollmentStatus.COMPLETED, completed_at=now)
    Enrollment.objects.filter(status=EnrollmentStatus.PENDING, start_date__lte=today).update(
        status=EnrollmentStatus.ENROLLED, updated_at=now
    )
    return completed


@transaction.atomic
def enrollment_unenroll_now(*, enrollments, reason: str, requested_by=None) -> int:
    """Admin: unenroll the given active enrollments today, devices kept; one recorded unenrollment each."""
    now = timezone.now()
    today = timezone.localdate(now)
    targets = list(
        Enrollment.objects.select_for_update()
        .filter(pk__in=[e.pk for e in enrollments], status__in=(EnrollmentStatus.PENDING, EnrollmentStatus.ENROLLED))
        .select_related("program")
    )
    targets = [e for e in targets if e.start_date <= today]
    Unenrollment.objects.bulk_create(
        [
            Unenrollment(
                request_hash="",
                request_body={"source": "admin"},
                status=UnenrollmentStatus.COMPLETED,
                reason=reason,
                enrollment=e,
                program_id=e.program.program_id,
                end_date=today,
                removal_method=RemovalMethod.X1KP,
                requested_by=requested_by,
                completed_at=now,
            )
            for e in targets
        ]
    )
    ids = [e.pk for e in targets]
    Device.objects.filter(enrollment_id__in=ids).update(status=DeviceStatus.KEPT)
    return Enrollment.objects.filter(pk__in=ids).update(
        status=EnrollmentStatus.UNENROLLED, end_date=today, updated_at=now
    )


# --- Enrollment ---------------------------------------------------------------------------------


@transaction.atomic
def enrollment_request(
    *, data: dict, today: date | None = None
) -> tuple[Enrollment | None, messages.BusinessMessage | None, bool]:
    """Enroll a resolved customer's service point in a program; return (enrollment, error, created).

    A business error (unknown program or customer, already enrolled...) records nothing, so the caller can
    retry once the CIS data is right. The same ``transactionId`` returns the same enrollment.
    """
    today = today or timezone.localdate()
    transaction_id = data.get("transactionId") or ""
    fingerprint = request_fingerprint(data)
    existing = _replay(Enrollment, transaction_id=transaction_id, fingerprint=fingerprint, kind="enroll")
    if existing is not None:
        return existing, None, False
    program_info = data["programInfo"]
    try:
        program = Program.objects.filter(program_id=program_info["programId"]).first()
        if program is None:
            raise messages.business_error(messages.PROGRAM_NOT_FOUND, f"Unknown programId {program_info['programId']}")
        if not program.is_active:
            raise messages.business_error(messages.PROGRAM_CLOSED)
        start, end = program_info.get("startDate") or today, program_info.get("endDate")
        if end is not None and end < start:
            raise messages.business_error(messages.END_BEFORE_START)
        customer = selectors.customer_resolve(customer_info=data["customerInfo"])
        service_point = selectors.service_point_resolve(location_info=data["locationInfo"])
        if Enrollment.objects.filter(
            customer=customer, service_point=service_point, program=program, status__in=ACTIVE_STATUSES
        ).exists():
            raise messages.business_error(messages.ALREADY_ENROLLED)
    except BusinessError as error:
        return None, error.message, False

    enrollment = Enrollment(
        customer=customer,
        service_point=service_point,
        program=program,
        status=EnrollmentStatus.ENROLLED if start <= today else EnrollmentStatus.PENDING,
        start_date=start,
        end_date=end,
        transaction_id=transaction_id,
        request_hash=fingerprint,
    )
    asset_info = data.get("assetInfo") or {}
    try:
        with transaction.atomic():
            enrollment.save()
            if asset_info.get("serialNumber"):
                Device.objects.create(
                    enrollment=enrollment,
                    serial_number=asset_info["serialNumber"],
                    asset_type=asset_info.get("assetType") or "",
                    asset_ownership=asset_info.get("assetOwnership") or "W1OW",
                )
    except IntegrityError:
        # A concurrent request won: the same transaction (replay) or the same customer/location/program.
        existing = _replay(Enrollment, transaction_id=transaction_id, fingerprint=fingerprint, kind="enroll")
        if existing is not None:
            return existing, None, False
        return (
            None,
            messages.BusinessMessage(messages.ALREADY_ENROLLED, messages.CODES[messages.ALREADY_ENROLLED]),
            False,
        )
    return enrollment, None, True
