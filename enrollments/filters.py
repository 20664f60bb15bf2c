"""FilterSets of the enrollments lists: the analyst API, the admin's Export button, background exports and
``manage.py export`` narrow querysets with these (through ``enrollments/exports.py``)."""

import django_filters

from core.filters import DateTimeFilter, FilterSet, MultipleChoiceFilter, NumberFilter, SearchFilter

from .models import (
    Customer,
    Enrollment,
    EnrollmentStatus,
    Premise,
    Program,
    RemovalMethod,
    ServiceAgreement,
    ServicePoint,
    Unenrollment,
    UnenrollmentStatus,
    UnenrollReason,
)


class EnrollmentFilterSet(FilterSet):
    program = django_filters.CharFilter(field_name="program__program_id")
    program_pk = NumberFilter(field_name="program_id", label="Program (database id, as the admin filters it)")
    status = MultipleChoiceFilter(choices=EnrollmentStatus.choices)
    account = django_filters.CharFilter(field_name="customer__cis_account_id")
    person = django_filters.CharFilter(field_name="customer__cis_person_id")
    service_point = django_filters.CharFilter(field_name="service_point__cis_service_point_id")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = SearchFilter(
        "program__program_id",
        "customer__cis_account_id",
        "customer__cis_person_id",
        "customer__name",
        "service_point__cis_service_point_id",
        "service_point__premise__cis_premise_id",
        "service_point__premise__city",
        "service_point__premise__county",
        "service_point__premise__state",
    )

    class Meta:
        model = Enrollment
        fields = {"start_date": ["gte", "lte"], "end_date": ["gte", "lte"]}


class UnenrollmentFilterSet(FilterSet):
    reason = MultipleChoiceFilter(choices=UnenrollReason.choices)
    status = MultipleChoiceFilter(choices=UnenrollmentStatus.choices)
    removal_method = MultipleChoiceFilter(choices=RemovalMethod.choices)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = SearchFilter("transaction_id", "program_id", "error_code", "expanded_message")

    class Meta:
        model = Unenrollment
        fields = {"transaction_id": ["exact"], "program_id": ["exact"], "end_date": ["gte", "lte"]}


class ProgramFilterSet(FilterSet):
    search = SearchFilter("program_id", "name", "description")

    class Meta:
        model = Program
        fields = ["program_id", "is_active"]


class CustomerFilterSet(FilterSet):
    account = django_filters.CharFilter(field_name="cis_account_id")
    person = django_filters.CharFilter(field_name="cis_person_id")
    search = SearchFilter("cis_account_id", "cis_person_id", "name")

    class Meta:
        model = Customer
        fields = []


class PremiseFilterSet(FilterSet):
    search = SearchFilter(
        "cis_premise_id",
        "address1",
        "address2",
        "address3",
        "address4",
        "city",
        "county",
        "state",
        "postal",
        "country",
        "division",
        "time_zone",
    )

    class Meta:
        model = Premise
        fields = ["cis_premise_id", "city", "state", "postal", "country", "division"]


class ServicePointFilterSet(FilterSet):
    premise = django_filters.CharFilter(field_name="premise__cis_premise_id")
    search = SearchFilter("cis_service_point_id", "premise__cis_premise_id", "service_type")

    class Meta:
        model = ServicePoint
        fields = ["cis_service_point_id", "service_type"]


class ServiceAgreementFilterSet(FilterSet):
    account = django_filters.CharFilter(field_name="customer__cis_account_id")
    service_point = django_filters.CharFilter(field_name="service_point__cis_service_point_id")
    search = SearchFilter(
        "customer__cis_account_id",
        "customer__cis_person_id",
        "customer__name",
        "service_point__cis_service_point_id",
        "service_point__premise__cis_premise_id",
    )

    class Meta:
        model = ServiceAgreement
        fields = []
