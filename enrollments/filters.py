"""One FilterSet per listed model: the admin's companions for the analyst API, exports and tests."""

import django_filters
from django.db.models import Q

from core.filters import FilterSet, UTCIsoDateTimeFilter

from .models import (
    Appointment,
    Customer,
    Device,
    DeviceReturn,
    Enrollment,
    EnrollmentStatus,
    Premise,
    Program,
    RemovalMethod,
    ServicePoint,
    Unenrollment,
    UnenrollmentStatus,
    UnenrollReason,
    address_key,
    normalise,
)


class ProgramFilterSet(FilterSet):
    class Meta:
        model = Program
        fields = {"program_id": ["exact", "icontains"], "is_active": ["exact"]}


class CustomerFilterSet(FilterSet):
    name = django_filters.CharFilter(method="filter_name", label="Name (case and spacing ignored)")

    class Meta:
        model = Customer
        fields = {"cis_account_id": ["exact"], "cis_person_id": ["exact"]}

    def filter_name(self, queryset, name, value):
        return queryset.filter(name_key=normalise(value))


class PremiseFilterSet(FilterSet):
    address = django_filters.CharFilter(method="filter_address", label="Address line 1 (with city/state/postal)")

    class Meta:
        model = Premise
        fields = {"cis_premise_id": ["exact"], "city": ["iexact"], "state": ["exact"], "postal": ["exact"]}

    def filter_address(self, queryset, name, value):
        data = self.data
        return queryset.filter(
            address_key=address_key(
                address1=value, city=data.get("city__iexact"), state=data.get("state"), postal=data.get("postal")
            )
        )


class ServicePointFilterSet(FilterSet):
    class Meta:
        model = ServicePoint
        fields = {"cis_service_point_id": ["exact"], "premise__cis_premise_id": ["exact"]}


class EnrollmentFilterSet(FilterSet):
    program = django_filters.CharFilter(field_name="program__program_id")
    status = django_filters.MultipleChoiceFilter(choices=EnrollmentStatus.choices)
    account = django_filters.CharFilter(field_name="customer__cis_account_id")
    person = django_filters.CharFilter(field_name="customer__cis_person_id")
    service_point = django_filters.CharFilter(field_name="service_point__cis_service_point_id")
    search = django_filters.CharFilter(method="filter_search", label="Account, person, service point or name")

    class Meta:
        model = Enrollment
        fields = {"start_date": ["gte", "lte"], "end_date": ["gte", "lte"]}

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(customer__cis_account_id=value)
            | Q(customer__cis_person_id=value)
            | Q(service_point__cis_service_point_id=value)
            | Q(customer__name_key=normalise(value))
        )


class DeviceFilterSet(FilterSet):
    class Meta:
        model = Device
        fields = {"serial_number": ["exact"], "asset_ownership": ["exact"], "status": ["exact"]}


class UnenrollmentFilterSet(FilterSet):
    reason = django_filters.MultipleChoiceFilter(choices=UnenrollReason.choices)
    status = django_filters.MultipleChoiceFilter(choices=UnenrollmentStatus.choices)
    removal_method = django_filters.MultipleChoiceFilter(choices=RemovalMethod.choices)
    created_after = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = django_filters.CharFilter(field_name="transaction_id", label="Transaction id")

    class Meta:
        model = Unenrollment
        fields = {"transaction_id": ["exact"], "program_id": ["exact"], "end_date": ["gte", "lte"]}


class AppointmentFilterSet(FilterSet):
    class Meta:
        model = Appointment
        fields = {"crew_id": ["exact"], "activity_type": ["exact"], "start": ["gte", "lte"]}


class DeviceReturnFilterSet(FilterSet):
    class Meta:
        model = DeviceReturn
        fields = {"status": ["exact"]}
