"""Analyst API (read-only, filtered, exportable) over enrollments and unenrollments: see core/analyst.py."""

from rest_framework import serializers

from core.analyst import AnalystViewSet, analyst_schema

from .. import exports
from ..models import Enrollment, Unenrollment


class EnrollmentListSerializer(serializers.ModelSerializer):
    program_id = serializers.CharField(source="program.program_id", read_only=True)
    cis_account_id = serializers.CharField(source="customer.cis_account_id", read_only=True)
    cis_person_id = serializers.CharField(source="customer.cis_person_id", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    cis_service_point_id = serializers.CharField(source="service_point.cis_service_point_id", read_only=True)
    cis_premise_id = serializers.CharField(source="service_point.premise.cis_premise_id", read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "program_id",
            "status",
            "cis_account_id",
            "cis_person_id",
            "customer_name",
            "cis_service_point_id",
            "cis_premise_id",
            "start_date",
            "end_date",
            "created_at",
            "updated_at",
        ]


class UnenrollmentListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unenrollment
        fields = [
            "id",
            "transaction_id",
            "status",
            "reason",
            "program_id",
            "enrollment",
            "end_date",
            "asset_ownership",
            "removal_method",
            "error_code",
            "expanded_message",
            "created_at",
            "completed_at",
        ]


@analyst_schema
class EnrollmentAnalystViewSet(AnalystViewSet):
    queryset = Enrollment.objects.select_related("program", "customer", "service_point__premise").order_by("-pk")
    serializer_class = EnrollmentListSerializer
    export_spec = exports.ENROLLMENTS
    ordering_fields = ["id", "start_date", "end_date", "status", "created_at"]


@analyst_schema
class UnenrollmentAnalystViewSet(AnalystViewSet):
    queryset = Unenrollment.objects.order_by("-pk")
    serializer_class = UnenrollmentListSerializer
    export_spec = exports.UNENROLLMENTS
    ordering_fields = ["id", "created_at", "end_date", "status"]
