"""The analyst lists of the enrollments app, each declared once: columns, filters, orderings (core/lists/specs.py)."""

from core.lists.specs import Column, ListSpec, register

from .filters import (
    CustomerFilterSet,
    EnrollmentFilterSet,
    PremiseFilterSet,
    ProgramFilterSet,
    ServiceAgreementFilterSet,
    ServicePointFilterSet,
    UnenrollmentFilterSet,
)
from .models import Customer, Enrollment, Premise, Program, ServiceAgreement, ServicePoint, Unenrollment

ENROLLMENTS = register(
    ListSpec(
        key="enrollments.enrollments",
        title="Program enrollments: customer, service point and program.",
        model=Enrollment,
        filterset=EnrollmentFilterSet,
        ordering=("-pk",),
        orderings=("id", "start_date", "end_date", "status", "created_at"),
        columns=[
            Column("id", "Enrollment ID"),
            Column("program_id", "Program", "program__program_id"),
            Column("status", "Status"),
            Column("cis_account_id", "Account", "customer__cis_account_id"),
            Column("cis_person_id", "Person", "customer__cis_person_id"),
            Column("customer_name", "Customer name", "customer__name"),
            Column("cis_service_point_id", "Service point", "service_point__cis_service_point_id"),
            Column("cis_premise_id", "Premise", "service_point__premise__cis_premise_id"),
            Column("city", "City", "service_point__premise__city"),
            Column("county", "County", "service_point__premise__county"),
            Column("state", "State (address)", "service_point__premise__state"),
            Column("start_date", "Start date"),
            Column("end_date", "End date"),
            Column("created_at", "Created (UTC)"),
            Column("updated_at", "Updated (UTC)"),
        ],
    )
)

UNENROLLMENTS = register(
    ListSpec(
        key="enrollments.unenrollments",
        title="Unenrollment requests and their outcome.",
        model=Unenrollment,
        filterset=UnenrollmentFilterSet,
        ordering=("-pk",),
        orderings=("id", "created_at", "end_date", "status"),
        columns=[
            Column("id", "Unenrollment ID"),
            Column("transaction_id", "Transaction"),
            Column("status", "Status"),
            Column("reason", "Reason"),
            Column("program_id", "Program"),
            Column("enrollment", "Enrollment ID"),
            Column("end_date", "End date"),
            Column("asset_ownership", "Asset ownership"),
            Column("removal_method", "Removal method"),
            Column("error_code", "Error code"),
            Column("expanded_message", "Message"),
            Column("created_at", "Received (UTC)"),
            Column("completed_at", "Completed (UTC)"),
        ],
    )
)

# --- The CIS mirror and programs: master data that imports load (enrollments/imports.py) -----------------------
PROGRAMS = register(
    ListSpec(
        key="enrollments.programs",
        title="Programs customers enroll in.",
        model=Program,
        filterset=ProgramFilterSet,
        ordering=("program_id",),
        orderings=("id", "program_id", "name"),
        columns=[
            Column("id", "ID"),
            Column("program_id", "Program"),
            Column("name", "Name"),
            Column("description", "Description"),
            Column("is_active", "Open for enrollment"),
        ],
    )
)

CUSTOMERS = register(
    ListSpec(
        key="enrollments.customers",
        title="CIS customers: account and person.",
        model=Customer,
        filterset=CustomerFilterSet,
        ordering=("cis_account_id", "cis_person_id", "pk"),
        orderings=("id", "cis_account_id", "cis_person_id", "name"),
        columns=[
            Column("id", "ID"),
            Column("cis_account_id", "Account"),
            Column("cis_person_id", "Person"),
            Column("name", "Name"),
        ],
    )
)

PREMISES = register(
    ListSpec(
        key="enrollments.premises",
        title="CIS premises and their address.",
        model=Premise,
        filterset=PremiseFilterSet,
        ordering=("cis_premise_id",),
        orderings=("id", "cis_premise_id", "city", "state", "postal"),
        columns=[
            Column("id", "ID"),
            Column("cis_premise_id", "Premise"),
            Column("address1", "Address 1"),
            Column("address2", "Address 2"),
            Column("address3", "Address 3"),
            Column("address4", "Address 4"),
            Column("city", "City"),
            Column("county", "County"),
            Column("state", "State"),
            Column("postal", "Postal code"),
            Column("country", "Country"),
            Column("division", "Division"),
            Column("time_zone", "Time zone"),
        ],
    )
)

SERVICE_POINTS = register(
    ListSpec(
        key="enrollments.service_points",
        title="CIS service points and the premise each is at.",
        model=ServicePoint,
        filterset=ServicePointFilterSet,
        ordering=("cis_service_point_id",),
        orderings=("id", "cis_service_point_id", "cis_premise_id"),
        columns=[
            Column("id", "ID"),
            Column("cis_service_point_id", "Service point"),
            Column("cis_premise_id", "Premise", "premise__cis_premise_id"),
            Column("service_type", "Service type"),
        ],
    )
)

SERVICE_AGREEMENTS = register(
    ListSpec(
        key="enrollments.service_agreements",
        title="Which customer (account and person) is served at which service point.",
        model=ServiceAgreement,
        filterset=ServiceAgreementFilterSet,
        ordering=("pk",),
        orderings=("id", "cis_account_id", "cis_service_point_id"),
        columns=[
            Column("id", "ID"),
            Column("cis_account_id", "Account", "customer__cis_account_id"),
            Column("cis_person_id", "Person", "customer__cis_person_id"),
            Column("customer_name", "Customer name", "customer__name"),
            Column("cis_service_point_id", "Service point", "service_point__cis_service_point_id"),
            Column("cis_premise_id", "Premise", "service_point__premise__cis_premise_id"),
        ],
    )
)
