"""Resolution: from what a caller knows (account, person or name; service point, premise or address) to rows.

Every lookup is an equality on an indexed column (``cis_*`` ids, ``Customer.name_key``, ``Premise.address_key``),
and the enrollment is found in one query whatever the match; the diagnostic queries run only when nothing
matched, so a request costs a constant number of queries.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import QuerySet

from . import errors
from .domain import AppointmentSlot, CustomerQuery, LocationQuery
from .keys import address_key, normalise
from .models import ACTIVE_STATUSES, Appointment, Customer, Enrollment, Program, ServicePoint, Unenrollment


def _customer_described(customer: CustomerQuery) -> str:
    # The request's own words name what was not found: these messages are answered as ``expandedMessage``.
    if customer.account_id.strip():
        return f"cisAccountId {customer.account_id.strip()}"
    if customer.person_id.strip():
        return f"cisPersonId {customer.person_id.strip()}"
    return f"name {customer.name.strip()}"


def _location_described(location: LocationQuery) -> str:
    if location.service_point_id.strip():
        return f"cisServicePointID {location.service_point_id.strip()}"
    if location.premise_id.strip():
        return f"cisPremiseId {location.premise_id.strip()}"
    return f"address {location.address1.strip()}"


def _customer_not_found(customer: CustomerQuery):
    described = _customer_described(customer)
    return errors.error(errors.CUSTOMER_NOT_FOUND, f"No customer with {described}", customer=described)


def _location_not_found(location: LocationQuery):
    described = _location_described(location)
    return errors.error(errors.LOCATION_NOT_FOUND, f"No service point at {described}", location=described)


def customers_matching(*, customer: CustomerQuery) -> QuerySet[Customer]:
    """Customers by account and/or person id (both must match when both are given), else by name."""
    account, person = customer.account_id.strip(), customer.person_id.strip()
    if not (account or person or normalise(customer.name)):
        raise errors.error(errors.CUSTOMER_INFO_MISSING)
    queryset = Customer.objects.all()
    if account or person:
        if account:
            queryset = queryset.filter(cis_account_id=account)
        if person:
            queryset = queryset.filter(cis_person_id=person)
        return queryset
    return queryset.filter(name_key=normalise(customer.name))


def service_points_matching(*, location: LocationQuery) -> QuerySet[ServicePoint]:
    """Service points by CIS service point id, else every one at the CIS premise, else at the address."""
    service_point, premise = location.service_point_id.strip(), location.premise_id.strip()
    if not (service_point or premise or normalise(location.address1)):
        raise errors.error(errors.LOCATION_INFO_MISSING)
    if service_point:
        return ServicePoint.objects.filter(cis_service_point_id=service_point)
    if premise:
        return ServicePoint.objects.filter(premise__cis_premise_id=premise)
    return ServicePoint.objects.filter(premise__address_key=address_key(**location.address()))


def enrollment_resolve(
    *, customer: CustomerQuery, location: LocationQuery, program_id: str, for_update: bool = False
) -> Enrollment:
    """The one active enrollment of the customer at the location in the program, or a domain error.

    With ``for_update`` the row is locked (PostgreSQL), so two requests cannot unenroll it at once.
    """
    customers = customers_matching(customer=customer)
    service_points = service_points_matching(location=location)
    queryset = Enrollment.objects.filter(
        customer__in=customers.values("pk"),
        service_point__in=service_points.values("pk"),
        program__program_id=program_id,
        status__in=ACTIVE_STATUSES,
    ).order_by("pk")
    # The key relations come in the same statement: the change log names the enrollment by them.
    queryset = queryset.select_related("program", "customer", "service_point")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))  # the enrollment row only (PostgreSQL)
    found = list(queryset[:2])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise errors.error(errors.ENROLLMENT_AMBIGUOUS)
    if not Program.objects.filter(program_id=program_id).exists():
        raise errors.error(errors.PROGRAM_NOT_FOUND, f"Unknown programId {program_id}", program_id=program_id)
    if not customers.exists():
        raise _customer_not_found(customer)
    if not service_points.exists():
        raise _location_not_found(location)
    raise errors.error(
        errors.NO_ACTIVE_ENROLLMENT, f"No active enrollment in program {program_id}", program_id=program_id
    )


def customer_resolve(*, customer: CustomerQuery, service_point: ServicePoint | None = None) -> Customer:
    """Exactly one customer, or a domain error (not found / more than one).

    By ids, the account (and person) decide. By name with a ``service_point``, only the customers of that name who
    have service there (a ``ServiceAgreement``) count, so two namesakes at different addresses never collide: the
    same answer unenroll gives, where the customer's enrollment at the address decides.
    """
    customers = customers_matching(customer=customer)
    by_name = not (customer.account_id.strip() or customer.person_id.strip())
    if by_name and service_point is not None:
        customers = customers.filter(agreements__service_point=service_point)
    found = list(customers[:2])
    if not found:
        if by_name and service_point is not None and customers_matching(customer=customer).exists():
            name = customer.name.strip()
            raise errors.error(
                errors.CUSTOMER_NOT_FOUND,
                f"No customer named {name} at service point {service_point.cis_service_point_id}",
                customer=f"name {name}",
            )
        raise _customer_not_found(customer)
    if len(found) > 1:
        raise errors.error(errors.CUSTOMER_AMBIGUOUS)
    return found[0]


def service_point_resolve(*, location: LocationQuery) -> ServicePoint:
    """Exactly one service point, or a domain error (not found / more than one)."""
    found = list(service_points_matching(location=location)[:2])
    if not found:
        raise _location_not_found(location)
    if len(found) > 1:
        raise errors.error(errors.LOCATION_AMBIGUOUS)
    return found[0]


def slot_first_usable(*, slots: Sequence[AppointmentSlot], now: datetime) -> AppointmentSlot | None:
    """The first offered slot that can be booked, in the order offered.

    Usable: start and end given, end after start, start in the future, the work availability absent or above
    zero, and (when a crew is given) no appointment of that crew overlapping it.
    """
    candidates = [
        slot
        for slot in slots
        if slot.start
        and slot.end
        and slot.end > slot.start
        and slot.start > now
        and (slot.work_availability_hours is None or slot.work_availability_hours > 0)
    ]
    if not candidates:
        return None
    crews = {slot.crew_id.strip() for slot in candidates} - {""}
    booked: list[tuple[str, datetime, datetime]] = []
    if crews:
        low = min(slot.start for slot in candidates)
        high = max(slot.end for slot in candidates)
        booked = list(
            Appointment.objects.filter(crew_id__in=crews, start__lt=high, end__gt=low).values_list(
                "crew_id", "start", "end"
            )
        )
    for slot in candidates:
        crew = slot.crew_id.strip()
        if crew and any(c == crew and start < slot.end and end > slot.start for c, start, end in booked):
            continue
        return slot
    return None


def unenrollment_detail(*, unenrollment_id: int):
    """An unenrollment with what its wire document shows (booked appointment), in one query."""
    return Unenrollment.objects.select_related("appointment").filter(pk=unenrollment_id).first()
