"""Demo data: programs, a few hundred CIS customers at service points, enrollments in every status.

Jane Doe (account 1589809012, person 0023939882, premise 5000000001, service point 2486945183, 1 Main Street,
Springfield CA 94000) is enrolled in DEMO-BYOT and was unenrolled from DEMO-EV, so both an unenroll and an
enroll built from the spec's example ids work on a fresh database. Idempotent: a second run adds nothing.
"""

from datetime import timedelta

from django.utils import timezone

from .models import (
    Appointment,
    AssetOwnership,
    Customer,
    Device,
    DeviceStatus,
    Enrollment,
    EnrollmentStatus,
    Premise,
    Program,
    RemovalMethod,
    ServicePoint,
    Unenrollment,
    UnenrollmentStatus,
    UnenrollReason,
    normalise,
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
STATUS_CYCLE = [
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.PENDING,
    EnrollmentStatus.PENDING_UNENROLL,
    EnrollmentStatus.UNENROLLED,
]


def _jane_and_others() -> tuple[list[Customer], list[Premise]]:
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
    for customer in customers:
        customer.name_key = normalise(customer.name)
    for premise in premises:
        premise.address_key = premise.compute_address_key()
    return customers, premises


def load(*, stdout) -> str:
    for program_id, name, active in PROGRAMS:
        Program.objects.get_or_create(program_id=program_id, defaults={"name": name, "is_active": active})
    if Premise.objects.filter(cis_premise_id="5000000001").exists():
        return "already loaded"

    today = timezone.localdate()
    customers, premises = _jane_and_others()
    Customer.objects.bulk_create(customers)
    Premise.objects.bulk_create(premises)
    customers = list(Customer.objects.filter(cis_account_id__in=[c.cis_account_id for c in customers]).order_by("pk"))
    premises = list(Premise.objects.filter(cis_premise_id__in=[p.cis_premise_id for p in premises]).order_by("pk"))
    ServicePoint.objects.bulk_create(
        [
            ServicePoint(cis_service_point_id="2486945183" if i == 0 else f"{2500000000 + i}", premise=premise)
            for i, premise in enumerate(premises)
        ]
    )
    service_points = list(ServicePoint.objects.filter(premise__in=premises).order_by("premise_id"))
    programs = {p.program_id: p for p in Program.objects.all()}
    byot, ev, battery = programs["DEMO-BYOT"], programs["DEMO-EV"], programs["DEMO-BATT"]

    enrollments = [
        Enrollment(
            customer=customers[0], service_point=service_points[0], program=byot, start_date=today.replace(day=1)
        ),
        Enrollment(
            customer=customers[0],
            service_point=service_points[0],
            program=ev,
            status=EnrollmentStatus.UNENROLLED,
            start_date=today - timedelta(days=400),
            end_date=today - timedelta(days=30),
        ),
    ]
    for i in range(1, CUSTOMERS):
        status = STATUS_CYCLE[i % len(STATUS_CYCLE)]
        start = today + timedelta(days=14) if status == EnrollmentStatus.PENDING else today - timedelta(days=90 + i)
        end = None
        if status == EnrollmentStatus.PENDING_UNENROLL:
            end = today + timedelta(days=7 + i % 20)
        elif status == EnrollmentStatus.UNENROLLED:
            end = today - timedelta(days=i % 60)
        program = (byot, ev, battery)[i % 3]
        enrollments.append(
            Enrollment(
                customer=customers[i],
                service_point=service_points[i],
                program=program,
                status=status,
                start_date=start,
                end_date=end,
            )
        )
    Enrollment.objects.bulk_create(enrollments)
    enrollments = list(Enrollment.objects.filter(customer__in=customers).select_related("program").order_by("pk"))
    Device.objects.bulk_create(
        [
            Device(
                enrollment=e,
                serial_number=f"{e.program.program_id[5:]}-{e.pk:06d}",
                asset_type={"DEMO-BYOT": "THERMOSTAT", "DEMO-EV": "EVCHARGER"}.get(e.program.program_id, "BATTERY"),
                asset_ownership=AssetOwnership.W1OW if e.pk % 2 else AssetOwnership.W1CO,
                status=DeviceStatus.KEPT if e.status == EnrollmentStatus.UNENROLLED else DeviceStatus.INSTALLED,
            )
            for e in enrollments
        ]
    )
    now = timezone.now()
    unenrollments = []
    for e in enrollments:
        if e.status not in (EnrollmentStatus.PENDING_UNENROLL, EnrollmentStatus.UNENROLLED):
            continue
        pending = e.status == EnrollmentStatus.PENDING_UNENROLL
        unenrollments.append(
            Unenrollment(
                transaction_id=f"DEMO-UNENROLL-{e.pk}",
                request_hash="",
                request_body={"source": "demo"},
                status=UnenrollmentStatus.PENDING if pending else UnenrollmentStatus.COMPLETED,
                reason=UnenrollReason.CUSTOMEROPTOUT if e.pk % 2 else UnenrollReason.INACTIVESERVICE,
                enrollment=e,
                program_id=e.program.program_id,
                end_date=e.end_date,
                removal_method=RemovalMethod.X1UR if pending else RemovalMethod.X1KP,
                completed_at=None if pending else now,
            )
        )
    unenrollments.append(
        Unenrollment(
            transaction_id="DEMO-UNENROLL-ERROR",
            request_hash="",
            request_body={"source": "demo", "customerInfo": {"cisAccountId": "9999999999"}},
            status=UnenrollmentStatus.ERROR,
            reason=UnenrollReason.INELIGIBLERATE,
            program_id="DEMO-BYOT",
            end_date=today,
            message_category="90000",
            message_number="10101",
            expanded_message="No customer with cisAccountId 9999999999",
        )
    )
    Unenrollment.objects.bulk_create(unenrollments)
    start = (now + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    Appointment.objects.bulk_create(
        [
            Appointment(
                unenrollment=u,
                activity_type="DEVREMOVAL",
                crew_id=f"CREW{n % 4 + 1:02d}",
                crew_shift_id=f"SHIFT{n:04d}",
                start=start + timedelta(days=n // 4),
                end=start + timedelta(days=n // 4, hours=3),
                work_availability_hours=3,
            )
            for n, u in enumerate(
                Unenrollment.objects.filter(status=UnenrollmentStatus.PENDING, transaction_id__startswith="DEMO-")
            )
        ]
    )
    return f"{len(PROGRAMS)} programs, {len(customers)} customers and service points, {len(enrollments)} enrollments"
