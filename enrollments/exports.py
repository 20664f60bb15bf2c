"""Exportable lists of the enrollments app (analyst API, admin Export button, ``manage.py export``)."""

from core.exports import Column, ExportSpec, register

from .filters import EnrollmentFilterSet, UnenrollmentFilterSet
from .models import Enrollment, Unenrollment

ENROLLMENTS = register(
    ExportSpec(
        key="enrollments.enrollments",
        model=Enrollment,
        filterset_class=EnrollmentFilterSet,
        ordering=("-pk",),
        columns=[
            Column("id", "Enrollment ID", "id"),
            Column("programId", "Program", "program__program_id"),
            Column("status", "Status", "status"),
            Column("cisAccountId", "Account", "customer__cis_account_id"),
            Column("cisPersonId", "Person", "customer__cis_person_id"),
            Column("name", "Customer name", "customer__name"),
            Column("cisServicePointID", "Service point", "service_point__cis_service_point_id"),
            Column("cisPremiseId", "Premise", "service_point__premise__cis_premise_id"),
            Column("city", "City", "service_point__premise__city"),
            Column("county", "County", "service_point__premise__county"),
            Column("state", "State", "service_point__premise__state"),
            Column("startDate", "Start date", "start_date"),
            Column("endDate", "End date", "end_date"),
            Column("createdAt", "Created (UTC)", "created_at"),
        ],
    )
)

UNENROLLMENTS = register(
    ExportSpec(
        key="enrollments.unenrollments",
        model=Unenrollment,
        filterset_class=UnenrollmentFilterSet,
        ordering=("-pk",),
        columns=[
            Column("unenrollmentId", "Unenrollment ID", "id"),
            Column("transactionId", "Transaction", "transaction_id"),
            Column("status", "Status", "status"),
            Column("unenrollReason", "Reason", "reason"),
            Column("programId", "Program", "program_id"),
            Column("enrollmentId", "Enrollment", "enrollment_id"),
            Column("endDate", "End date", "end_date"),
            Column("assetOwnership", "Asset ownership", "asset_ownership"),
            Column("removalMethod", "Removal method", "removal_method"),
            Column("errorCode", "Error code", "error_code"),
            Column("expandedMessage", "Message", "expanded_message"),
            Column("createdAt", "Received (UTC)", "created_at"),
            Column("completedAt", "Completed (UTC)", "completed_at"),
        ],
    )
)
