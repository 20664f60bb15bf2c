"""Resolution: from what a caller knows (account, person or name; service point, premise or address) to rows.

Every lookup is an equality on an indexed column (``cis_*`` ids, ``Customer.name_key``, ``Premise.address_key``),
and the enrollment is found in one query whatever the match; the diagnostic queries run only when nothing
matched, so a request costs a constant number of queries.
"""

from datetime import datetime

from django.db.models import QuerySet

from . import errors
from .keys import address_key, normalise
from .models import ACTIVE_STATUSES, Appointment, Customer, Enrollment, Program, ServicePoint, Unenrollment


def _text(info: dict | None, name: str) -> str:
    return ((info or {}).get(name) or "").strip()


def _customer_described(info: dict) -> str:
    for name in ("cisAccountId", "cisPersonId"):
        if _text(info, name):
            return f"{name} {_text(info, name)}"
    return f"name {_text(info, 'name')}"


def _location_described(info: dict) -> str:
    for name in ("cisServicePointID", "cisPremiseId"):
        if _text(info, name):
            return f"{name} {_text(info, name)}"
    return f"address {_text(info, 'address1')}"


def _customer_not_found(info: dict):
    described = _customer_described(info)
    return errors.error(errors.CUSTOMER_NOT_FOUND, f"No customer with {described}", customer=described)


def _location_not_found(info: dict):
    described = _location_described(info)
    return errors.error(errors.LOCATION_NOT_FOUND, f"No service point at {described}", location=described)


def customers_matching(*, customer_info: dict) -> QuerySet[Customer]:
    """Customers by ``cisAccountId`` and/or ``cisPersonId`` (both must match when both are sent), else by name."""
    account, person = _text(customer_info, "cisAccountId"), _text(customer_info, "cisPersonId")
    if not (account or person or normalise(customer_info.get("name"))):
        raise errors.error(errors.CUSTOMER_INFO_MISSING)
    queryset = Customer.objects.all()
    if account or person:
        if account:
            queryset = queryset.filter(cis_account_id=account)
        if person:
            queryset = queryset.filter(cis_person_id=person)
        return queryset
    return queryset.filter(name_key=normalise(customer_info.get("name")))


def service_points_matching(*, location_info: dict) -> QuerySet[ServicePoint]:
    """Service points by ``cisServicePointID``, else every one at ``cisPremiseId``, else at the address."""
    service_point, premise = _text(location_info, "cisServicePointID"), _text(location_info, "cisPremiseId")
    if not (service_point or premise or normalise(location_info.get("address1"))):
        raise errors.error(errors.LOCATION_INFO_MISSING)
    if service_point:
        return ServicePoint.objects.filter(cis_service_point_id=service_point)
    if premise:
        return ServicePoint.objects.filter(premise__cis_premise_id=premise)
    return ServicePoint.objects.filter(premise__address_key=address_key(**location_info))


def enrollment_resolve(
    *, customer_info: dict, location_info: dict, program_id: str, for_update: bool = False
) -> Enrollment:
    """The one active enrollment of the customer at the location in the program, or a domain error.

    With ``for_update`` the row is locked (PostgreSQL), so two requests cannot unenroll it at once.
    """
    customers = customers_matching(customer_info=customer_info)
    service_points = service_points_matching(location_info=location_info)
    queryset = Enrollment.objects.filter(
        customer__in=customers.values("pk"),
        service_point__in=service_points.values("pk"),
        program__program_id=program_id,
        status__in=ACTIVE_STATUSES,
    ).order_by("pk")
    if for_update:
        queryset = queryset.select_for_update()
    found = list(queryset[:2])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise errors.error(errors.ENROLLMENT_AMBIGUOUS)
    if not Program.objects.filter(program_id=program_id).exists():
        raise errors.error(errors.PROGRAM_NOT_FOUND, f"Unknown programId {program_id}", program_id=program_id)
    if not customers.exists():
        raise _customer_not_found(customer_info)
    if not service_points.exists():
        raise _location_not_found(location_info)
    raise errors.error(
        errors.NO_ACTIVE_ENROLLMENT, f"No active enrollment in program {program_id}", program_id=program_id
    )


def customer_resolve(*, customer_info: dict, service_point: ServicePoint | None = None) -> Customer:
    """Exactly one customer, or a domain error (not found / more than one).

    By ids, the account (and person) decide. By name with a ``service_point``, only the customers of that name who
    have service there (a ``ServiceAgreement``) count, so two namesakes at different addresses never collide: the
    same answer unenroll gives, where the customer's enrollment at the address decides.
    """
    customers = customers_matching(customer_info=customer_info)
    by_name = not (_text(customer_info, "cisAccountId") or _text(customer_info, "cisPersonId"))
    if by_name and service_point is not None:
        customers = customers.filter(agreements__service_point=service_point)
    found = list(customers[:2])
    if not found:
        if by_name and service_point is not None and customers_matching(customer_info=customer_info).exists():
            name = _text(customer_info, "name")
            raise errors.error(
                errors.CUSTOMER_NOT_FOUND,
                f"No customer named {name} at service point {service_point.cis_service_point_id}",
                customer=f"name {name}",
            )
        raise _customer_not_found(customer_info)
    if len(found) > 1:
        raise errors.error(errors.CUSTOMER_AMBIGUOUS)
    return found[0]


def service_point_resolve(*, location_info: dict) -> ServicePoint:
    """Exactly one service point, or a domain error (not found / more than one)."""
    found = list(service_points_matching(location_info=location_info)[:2])
    if not found:
        raise _location_not_found(location_info)
    if len(found) > 1:
        raise errors.error(errors.LOCATION_AMBIGUOUS)
    return found[0]


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


def unenrollment_detail(*, unenrollment_id: int):
    """An unenrollment with what its wire document shows (booked appointment), in one query."""
    return Unenrollment.objects.select_related("appointment").filter(pk=unenrollment_id).first()
