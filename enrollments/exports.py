"""The analyst lists of the enrollments app, each declared once: columns, filters, orderings (core/lists.py)."""

from core.lists import Column, ListSpec, register

from .filters import EnrollmentFilterSet, UnenrollmentFilterSet
from .models import Enrollment, Unenrollment

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
