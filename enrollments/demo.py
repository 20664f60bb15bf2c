"""Demo data: programs, a few hundred CIS customers at service points, enrollments in every status.

Jane Doe (account 1589809012, person 0023939882, premise 5000000001, service point 2486945183, 1 Main Street,
Springfield CA 94000) is enrolled in DEMO-BYOT and was unenrolled from DEMO-EV, so both an unenroll and an
enroll built from the spec's example ids work on a fresh database. Idempotent: a second run adds nothing.

Everything goes through the services, as the wire API and the admin do: statuses, keys, device states and booked
appointments are what the real paths make of these requests.
"""

from datetime import timedelta

from django.utils import timezone

from . import services
from .domain import AppointmentSlot, CustomerQuery, DeviceInstalled, LocationQuery
from .models import (
    AssetOwnership,
    Customer,
    EnrollmentStatus,
    Premise,
    Program,
    RemovalMethod,
    ServicePoint,
    UnenrollReason,
)

PROGRAMS = [
    ("DEMO-BYOT", "Bring your own thermostat", True),
    ("DEMO-EV", "Managed EV charging", True),
    ("DEMO-BATT", "Home battery demand response", True),
    ("DEMO-OLD", "Retired peak-time rebate", False),
]
CUSTOMERS = 300
FIRST = ["Jane", "John", "Maria", "Wei", "Aisha", "Carlos", "Olga", "Kenji", "Fatima", "Liam", "Noor", "Ivan"]
LAST = ["Doe", "Smith", "Garcia", "Chen", "Khan", "Silva", "Petrova", "Sato", "Haddad", "Murphy", "Ali", "Novak"]
STREETS = ["Main Street", "Oak Avenue", "Pine Road", "Elm Street", "Cedar Lane", "Maple Drive", "Lake View"]
CITIES = [
    ("Springfield", "Sangamon", "CA", "940"),
    ("Riverside", "Orange", "CA", "925"),
    ("Fresno", "Fresno", "CA", "937"),
]
# What happens to customer i (i >= 1): enrolled, enrolled later, or leaving (pending or done).
STATUS_CYCLE = [
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.PENDING,
    EnrollmentStatus.PENDING_UNENROLL,
    EnrollmentStatus.UNENROLLED,
]


def _cis_rows() -> tuple[list[Customer], list[Premise], list[tuple[str, str]]]:
    """Jane Doe at 1 Main Street, then one customer per premise and service point."""
    customers = [Customer(cis_account_id="1589809012", cis_person_id="0023939882", name="Jane Doe")]
    premises = [
        Premise(
            cis_premise_id="5000000001",
            address1="1 Main Street",
            city="Springfield",
            county="Sangamon",
            state="CA",
            postal="94000",
            country="USA",
            division="CA",
            time_zone="US/Pacific",
        )
    ]
    service_points = [("2486945183", "5000000001")]
    for i in range(1, CUSTOMERS):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        city, county, state, postal = CITIES[i % len(CITIES)]
        customers.append(
            Customer(cis_account_id=f"{1600000000 + i}", cis_person_id=f"{30000000 + i:010d}", name=f"{first} {last}")
        )
        premises.append(
            Premise(
                cis_premise_id=f"{5000000001 + i}",
                address1=f"{i + 1} {STREETS[i % len(STREETS)]}",
                city=city,
                county=county,
                state=state,
                postal=f"{postal}{i % 100:02d}",
                country="USA",
                division=state,
                time_zone="US/Pacific",
            )
        )
        service_points.append((f"{2500000000 + i}", f"{5000000001 + i}"))
    return customers, premises, service_points


def _enroll(customer, service_point, program, *, start, n, today):
    """Enrollment ``n``, with its device (thermostat, EV charger or battery; owned in turn by the utility or not)."""
    return services.enrollment_create(
        customer=customer,
        service_point=service_point,
        program=program,
        start_date=start,
        device=DeviceInstalled(
            serial_number=f"{program.program_id[5:]}-{n:06d}",
            asset_type={"DEMO-BYOT": "THERMOSTAT", "DEMO-EV": "EVCHARGER"}.get(program.program_id, "BATTERY"),
            asset_ownership=AssetOwnership.W1OW if n % 2 else AssetOwnership.W1CO,
        ),
        today=today,
    )


def _unenroll(enrollment, *, end, slot_start=None, n=0, today, now):
    """Leave on ``end``: at once with the devices kept, or later with a crew visit booked from an offered slot."""
    slots = []
    if slot_start is not None:
        slots = [
            AppointmentSlot(
                activity_type="DEVREMOVAL",
                crew_id=f"CREW{n % 4 + 1:02d}",
                crew_shift_id=f"SHIFT{n:04d}",
                start=slot_start,
                end=slot_start + timedelta(hours=3),
                work_availability_hours=3.0,
            )
        ]
    return services.unenrollment_request(
        transaction_id=f"DEMO-UNENROLL-{enrollment.pk}",
        reason=UnenrollReason.CUSTOMEROPTOUT if enrollment.pk % 2 else UnenrollReason.INACTIVESERVICE,
        customer=CustomerQuery(account_id=enrollment.customer.cis_account_id),
        location=LocationQuery(service_point_id=enrollment.service_point.cis_service_point_id),
        program_id=enrollment.program.program_id,
        end_date=end,
        removal_method=RemovalMethod.X1KP if slot_start is None else RemovalMethod.X1UR,
        slots=slots,
        today=today,
        now=now,
    )


def load(*, stdout) -> str:
    for program_id, name, active in PROGRAMS:
        if not Program.objects.filter(program_id=program_id).exists():
            services.reference_save(obj=Program(program_id=program_id, name=name, is_active=active))
    if Premise.objects.filter(cis_premise_id="5000000001").exists():
        return "already loaded"

    now = timezone.now()
    today = timezone.localdate(now)
    customers, premises, service_points = _cis_rows()
    # Each customer has service at their own premise's service point: the three "Jane Doe"s (1 Main Street,
    # 145 Cedar Lane, 289 Oak Avenue) resolve by name and address, each to the one at that address.
    agreements = [(c.cis_account_id, sp) for c, (sp, _) in zip(customers, service_points, strict=True)]
    services.cis_records_load(
        customers=customers, premises=premises, service_points=service_points, agreements=agreements
    )
    customers = list(Customer.objects.filter(cis_account_id__in=[c.cis_account_id for c in customers]).order_by("pk"))
    points = list(
        ServicePoint.objects.filter(cis_service_point_id__in=[sp for sp, _ in service_points]).order_by("premise_id")
    )
    programs = {p.program_id: p for p in Program.objects.all()}
    byot, ev, battery = programs["DEMO-BYOT"], programs["DEMO-EV"], programs["DEMO-BATT"]

    _enroll(customers[0], points[0], byot, start=today.replace(day=1), n=1, today=today)
    jane_ev = _enroll(customers[0], points[0], ev, start=today - timedelta(days=400), n=2, today=today)
    _unenroll(jane_ev, end=today - timedelta(days=30), today=today, now=now)
    count, visits = 2, 0
    first_visit = (now + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    for i in range(1, CUSTOMERS):
        status = STATUS_CYCLE[i % len(STATUS_CYCLE)]
        start = today + timedelta(days=14) if status == EnrollmentStatus.PENDING else today - timedelta(days=90 + i)
        count += 1
        enrollment = _enroll(customers[i], points[i], (byot, ev, battery)[i % 3], start=start, n=count, today=today)
        if status == EnrollmentStatus.PENDING_UNENROLL:
            slot_start = first_visit + timedelta(days=visits // 4)
            end = today + timedelta(days=7 + i % 20)
            _unenroll(enrollment, end=end, slot_start=slot_start, n=visits, today=today, now=now)
            visits += 1
        elif status == EnrollmentStatus.UNENROLLED:
            _unenroll(enrollment, end=today - timedelta(days=i % 60), today=today, now=now)
    # One request the CIS cannot resolve, kept in ERROR as every unresolved request is.
    services.unenrollment_request(
        transaction_id="DEMO-UNENROLL-ERROR",
        reason=UnenrollReason.INELIGIBLERATE,
        customer=CustomerQuery(account_id="9999999999"),
        location=LocationQuery(service_point_id="2486945183"),
        program_id="DEMO-BYOT",
        end_date=today,
        today=today,
        now=now,
    )
    return f"{len(PROGRAMS)} programs, {len(customers)} customers and service points, {count} enrollments"
