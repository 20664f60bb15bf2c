"""What changes enrollment data: enroll, unenroll (resolve, schedule or complete, arrange device removal), the
daily completion of due unenrollments, and the admin's writes. Every door (wire views, admin, tasks, demo) calls
these functions; they return records and say "no" only with ``core.errors`` domain errors (``enrollments/errors.py``).
"""

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import changes, metrics
from core.errors import DomainError

from .. import errors, selectors
from ..domain import AppointmentSlot, CustomerQuery, DeviceInstalled, LocationQuery
from ..models import (
    ACTIVE_STATUSES,
    Appointment,
    Customer,
    Device,
    DeviceReturn,
    DeviceStatus,
    Enrollment,
    EnrollmentStatus,
    Program,
    RemovalMethod,
    ServicePoint,
    Unenrollment,
    UnenrollmentStatus,
    enrollment_status,
)
from ..rules import check_dates, ends_before_start


def request_fingerprint(data: dict) -> str:
    """A stable hash of a request: the wire door hashes the validated document (the same body in JSON or XML gives
    the same fingerprint); a request made without a document is hashed from its arguments."""
    canonical = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _json_safe(data: dict) -> dict:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _plain(value):
    """Arguments as JSON-ready values (dataclasses as dicts), for a request made without a document."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _received(request_hash: str, request_body: dict | None, **arguments) -> tuple[str, dict]:
    """The fingerprint and the record of a request: as the door received it, else made from its arguments."""
    body = _json_safe(request_body if request_body is not None else {k: _plain(v) for k, v in arguments.items()})
    return request_hash or request_fingerprint(body), body


def _replay(model, *, transaction_id: str, fingerprint: str, kind: str):
    """The record a transaction id already produced, or ``None``; a different body is a conflict."""
    if not transaction_id:
        return None
    existing = model.objects.filter(transaction_id=transaction_id).first()
    if existing is not None and existing.request_hash != fingerprint:
        raise errors.error(
            errors.TRANSACTION_CONFLICT,
            f"transactionId {transaction_id} was already used for a different {kind} request.",
            transaction_id=transaction_id,
        )
    return existing


def _arrange_removal(*, unenrollment: Unenrollment, enrollment: Enrollment, slot: AppointmentSlot | None) -> None:
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
        hours = slot.work_availability_hours
        Appointment.objects.create(
            unenrollment=unenrollment,
            activity_type=slot.activity_type.strip(),
            crew_id=slot.crew_id.strip(),
            crew_shift_id=slot.crew_shift_id.strip(),
            start=slot.start,
            end=slot.end,
            work_availability_hours=None if hours is None else Decimal(str(round(hours, 2))),
        )
        devices.update(status=DeviceStatus.REMOVAL_SCHEDULED)


def _unenroll(
    *,
    record: Unenrollment,
    customer: CustomerQuery,
    location: LocationQuery,
    slots: Sequence[AppointmentSlot],
    today: date,
    now: datetime,
) -> Unenrollment:
    try:
        enrollment = selectors.enrollment_resolve(
            customer=customer, location=location, program_id=record.program_id, for_update=True
        )
        if enrollment.status == EnrollmentStatus.PENDING_UNENROLL:
            raise errors.error(errors.ALREADY_PENDING_UNENROLL, enrollment_id=enrollment.pk)
        check_dates(start_date=enrollment.start_date, end_date=record.end_date, enrollment_id=enrollment.pk)
        slot = None
        if record.removal_method == RemovalMethod.X1UR:
            slot = selectors.slot_first_usable(slots=slots, now=now)
            if slot is None:
                raise errors.error(errors.NO_USABLE_SLOT, enrollment_id=enrollment.pk)
    except DomainError as error:
        # The spec records every request: one that cannot be carried out is kept in ERROR, with why.
        record.status = UnenrollmentStatus.ERROR
        record.enrollment_id = error.params.get("enrollment_id")
        record.error_code = error.code
        record.expanded_message = error.message[:254]
        record.save()
        metrics.outcome("unenrollments", "error")
        changes.record(record, "created")
        return record

    status = enrollment_status(start_date=enrollment.start_date, end_date=record.end_date, today=today, ending=True)
    completes = status == EnrollmentStatus.UNENROLLED
    record.enrollment = enrollment
    record.status = UnenrollmentStatus.COMPLETED if completes else UnenrollmentStatus.PENDING
    record.completed_at = now if completes else None
    record.save()
    changes.record(record, "created")
    before = changes.snapshot(enrollment)
    Enrollment.objects.filter(pk=enrollment.pk).update(status=status, end_date=record.end_date, updated_at=now)
    enrollment.status, enrollment.end_date = status, record.end_date
    _arrange_removal(unenrollment=record, enrollment=enrollment, slot=slot)
    metrics.outcome("unenrollments", "completed" if completes else "pending")
    changes.record(enrollment, "unenrolled" if completes else "unenroll_requested", before=before)
    return record


@transaction.atomic
def unenrollment_request(
    *,
    customer: CustomerQuery,
    location: LocationQuery,
    program_id: str,
    end_date: date | None = None,
    reason: str = "",
    removal_method: str = "",
    asset_ownership: str = "",
    slots: Sequence[AppointmentSlot] = (),
    transaction_id: str = "",
    request_hash: str = "",
    request_body: dict | None = None,
    requested_by=None,
    today: date | None = None,
    now: datetime | None = None,
) -> Unenrollment:
    """Unenroll the customer's service point from the program on ``end_date`` (today when ``None``); return the
    request's record.

    The request is always recorded: resolved (``PENDING`` until a future end date, else ``COMPLETED``) or
    ``ERROR`` with the domain error's code and message. A repeated ``transaction_id`` returns the first record
    unchanged; with a different request it raises ``Conflict`` (``enrollments.transaction_conflict``). The door
    passes the request as received (``request_body``, ``request_hash``: its fingerprint); without them, they are
    made from the arguments. ``slots`` are the offered crew visits of a utility removal (``X1UR``).
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    fingerprint, body = _received(
        request_hash,
        request_body,
        customer=customer,
        location=location,
        program_id=program_id,
        end_date=end_date,
        reason=reason,
        removal_method=removal_method,
        asset_ownership=asset_ownership,
        slots=slots,
        transaction_id=transaction_id,
    )
    record = Unenrollment(
        transaction_id=transaction_id,
        request_hash=fingerprint,
        request_body=body,
        reason=reason,
        program_id=program_id,
        end_date=end_date or today,
        asset_ownership=asset_ownership,
        removal_method=removal_method,
        requested_by=requested_by if requested_by is not None and requested_by.is_authenticated else None,
    )
    # Insert first, replay on conflict: the transaction id is unique, so a retried request (or a concurrent one
    # that won the race) fails the insert, its savepoint is rolled back, and the first record is the answer. The
    # first request of a transaction id, the common case, costs no lookup.
    try:
        with transaction.atomic():
            return _unenroll(record=record, customer=customer, location=location, slots=slots, today=today, now=now)
    except IntegrityError:
        existing = _replay(Unenrollment, transaction_id=transaction_id, fingerprint=fingerprint, kind="unenroll")
        if existing is None:
            raise
        metrics.outcome("unenrollments", "replayed")
        return existing


@transaction.atomic
def unenrollment_complete_due(*, today: date | None = None) -> int:
    """End every pending unenrollment whose end date has come (today or a missed day); return how many.

    Idempotent: a second run finds nothing due. Pending enrollments whose start date has come start too. This is
    ``models.enrollment_status`` applied set-based: ending and due -> UNENROLLED, started -> ENROLLED.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    due = Unenrollment.objects.filter(status=UnenrollmentStatus.PENDING, end_date__lte=today)
    ending = Enrollment.objects.filter(
        pk__in=due.values("enrollment_id"), status=EnrollmentStatus.PENDING_UNENROLL, end_date__lte=today
    )
    starting = Enrollment.objects.filter(status=EnrollmentStatus.PENDING, start_date__lte=today)
    transitions = [(e, "unenrolled", EnrollmentStatus.UNENROLLED) for e in ending.select_related(*_KEY_RELATIONS)]
    transitions += [(e, "started", EnrollmentStatus.ENROLLED) for e in starting.select_related(*_KEY_RELATIONS)]
    ending.update(status=EnrollmentStatus.UNENROLLED, updated_at=now)
    completed = due.update(status=UnenrollmentStatus.COMPLETED, completed_at=now)
    metrics.outcome("unenrollments", "completed", completed)
    starting.update(status=EnrollmentStatus.ENROLLED, updated_at=now)
    for enrollment, action, status in transitions:
        changes.record(enrollment, action, changes={"status": [enrollment.status, status]})
    return completed


_KEY_RELATIONS = ("program", "customer", "service_point")


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
    ended = enrollment_status(start_date=today, end_date=today, today=today, ending=True)
    done = Enrollment.objects.filter(pk__in=ids).update(status=ended, end_date=today, updated_at=now)
    for enrollment in targets:
        before = changes.snapshot(enrollment)
        enrollment.status, enrollment.end_date = ended, today
        changes.record(enrollment, "unenrolled", before=before)
    return done


# Enrollment


def enrollment_validate(*, customer, service_point, program: Program, start_date: date, end_date: date | None) -> None:
    """Raise the domain error that forbids enrolling ``customer`` at ``service_point`` in ``program``, if any."""
    if not program.is_active:
        raise errors.error(errors.PROGRAM_CLOSED)
    check_dates(start_date=start_date, end_date=end_date)
    if Enrollment.objects.filter(
        customer=customer, service_point=service_point, program=program, status__in=ACTIVE_STATUSES
    ).exists():
        raise errors.error(errors.ALREADY_ENROLLED)


@transaction.atomic
def enrollment_create(
    *,
    customer: Customer,
    service_point: ServicePoint,
    program: Program,
    start_date: date,
    end_date: date | None = None,
    device: DeviceInstalled | None = None,
    transaction_id: str = "",
    request_hash: str = "",
    today: date | None = None,
) -> Enrollment:
    """Enroll a customer's service point in a program from ``start_date`` (``PENDING`` until then).

    ``device`` is recorded when it has a serial number (owned by the utility, ``W1OW``, unless said otherwise).
    The wire's enroll, the admin's add and the demo all create enrollments here.
    """
    today = today or timezone.localdate()
    enrollment_validate(
        customer=customer, service_point=service_point, program=program, start_date=start_date, end_date=end_date
    )
    enrollment = Enrollment(
        customer=customer,
        service_point=service_point,
        program=program,
        status=enrollment_status(start_date=start_date, today=today),
        start_date=start_date,
        end_date=end_date,
        transaction_id=transaction_id,
        request_hash=request_hash,
    )
    try:
        with transaction.atomic():
            enrollment.save()
            if device and device.serial_number:
                Device.objects.create(
                    enrollment=enrollment,
                    serial_number=device.serial_number,
                    asset_type=device.asset_type,
                    asset_ownership=device.asset_ownership or "W1OW",
                )
    except IntegrityError:
        # A concurrent request won: the same customer, service point and program (or the same transactionId).
        raise errors.error(errors.ALREADY_ENROLLED) from None
    changes.record(enrollment, "created", counts={"devices": 1} if device and device.serial_number else None)
    return enrollment


@transaction.atomic
def enrollment_request(
    *,
    customer: CustomerQuery,
    location: LocationQuery,
    program_id: str,
    start_date: date | None = None,
    end_date: date | None = None,
    device: DeviceInstalled | None = None,
    transaction_id: str = "",
    request_hash: str = "",
    today: date | None = None,
) -> Enrollment:
    """Enroll the resolved customer's service point in the program from ``start_date`` (today when ``None``);
    return the enrollment.

    A domain error (unknown program or customer, already enrolled...) records nothing, so the caller can retry
    once the CIS data is right. The same ``transaction_id`` returns the same enrollment; with another request it
    raises ``Conflict`` (``enrollments.transaction_conflict``). ``request_hash`` is the fingerprint of the request
    as the door received it; without it, one is made from the arguments.
    """
    today = today or timezone.localdate()
    fingerprint, _ = _received(
        request_hash,
        None,
        customer=customer,
        location=location,
        program_id=program_id,
        start_date=start_date,
        end_date=end_date,
        device=device,
        transaction_id=transaction_id,
    )
    existing = _replay(Enrollment, transaction_id=transaction_id, fingerprint=fingerprint, kind="enroll")
    if existing is not None:
        return existing
    program = Program.objects.filter(program_id=program_id).first()
    if program is None:
        raise errors.error(errors.PROGRAM_NOT_FOUND, f"Unknown programId {program_id}", program_id=program_id)
    start, end = start_date or today, end_date
    if not program.is_active or ends_before_start(start_date=start, end_date=end):  # before resolving, as always
        enrollment_validate(customer=None, service_point=None, program=program, start_date=start, end_date=end)
    if not selectors.customers_matching(customer=customer).exists():  # an unknown customer first, as always
        selectors.customer_resolve(customer=customer)
    service_point = selectors.service_point_resolve(location=location)
    resolved = selectors.customer_resolve(customer=customer, service_point=service_point)
    try:
        return enrollment_create(
            customer=resolved,
            service_point=service_point,
            program=program,
            start_date=start,
            end_date=end,
            device=device,
            transaction_id=transaction_id,
            request_hash=fingerprint,
            today=today,
        )
    except DomainError as error:
        # Lost a race to the same transactionId: answer with the enrollment it made.
        replay = _replay(Enrollment, transaction_id=transaction_id, fingerprint=fingerprint, kind="enroll")
        if error.code == errors.ALREADY_ENROLLED and replay is not None:
            return replay
        raise


@transaction.atomic
def enrollment_update(*, enrollment: Enrollment, start_date: date, end_date: date | None) -> Enrollment:
    """Admin: move a not-yet-ending enrollment's start or planned end; its status follows its dates.

    An enrollment being unenrolled (or unenrolled) changes only through unenrollments.
    """
    current = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if current.status not in (EnrollmentStatus.PENDING, EnrollmentStatus.ENROLLED):
        raise errors.error(
            errors.ENROLLMENT_ENDING, f"Enrollment {current.pk} is {current.get_status_display().lower()}"
        )
    check_dates(start_date=start_date, end_date=end_date)
    before = changes.snapshot(current)
    current.start_date, current.end_date = start_date, end_date
    current.status = enrollment_status(start_date=start_date, today=timezone.localdate())
    current.save(update_fields=["start_date", "end_date", "status", "updated_at"])
    changes.record(current, "updated", before=before)
    return current
