"""FilterSets of the outages app: the admin, the analyst API and exports narrow querysets with these."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from core.filters import FilterSet, NumberFilter, UTCIsoDateTimeFilter

from .models import ExternalSystem, MessageOutcome, OutageCustomer, OutageEvent, OutageMessage, OutageState, OutageType


class ExternalSystemFilterSet(FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = ExternalSystem
        fields = ["name", "is_active"]


class OutageEventFilterSet(FilterSet):
    external_system = django_filters.CharFilter(field_name="external_system__name")
    outage_type = django_filters.ChoiceFilter(choices=OutageType.choices)
    state = django_filters.ChoiceFilter(choices=OutageState.choices)
    start_after = UTCIsoDateTimeFilter(field_name="start_date_time", lookup_expr="gte")
    start_before = UTCIsoDateTimeFilter(field_name="start_date_time", lookup_expr="lt")
    account_id = django_filters.CharFilter(method="filter_customer")
    sp_id = django_filters.CharFilter(method="filter_customer")
    search = django_filters.CharFilter(method="filter_search", label="Outage id, account id or service point id")

    class Meta:
        model = OutageEvent
        fields = ["external_system", "outage_type", "state", "discarded", "external_outage_id"]

    def filter_customer(self, queryset, name, value):
        listed = OutageCustomer.objects.filter(Q(**{name: value}), event=OuterRef("pk"))
        return queryset.filter(Exists(listed))

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        listed = OutageCustomer.objects.filter(Q(account_id=value) | Q(sp_id=value), event=OuterRef("pk"))
        return queryset.filter(Q(external_outage_id=value) | Exists(listed))


class OutageCustomerFilterSet(FilterSet):
    event = NumberFilter(field_name="event_id")
    outage_id = django_filters.CharFilter(field_name="event__external_outage_id")
    external_system = django_filters.CharFilter(field_name="event__external_system__name")
    state = django_filters.ChoiceFilter(field_name="event__state", choices=OutageState.choices)
    outage_type = django_filters.ChoiceFilter(field_name="event__outage_type", choices=OutageType.choices)
    start_after = UTCIsoDateTimeFilter(field_name="event__start_date_time", lookup_expr="gte")
    start_before = UTCIsoDateTimeFilter(field_name="event__start_date_time", lookup_expr="lt")
    search = django_filters.CharFilter(method="filter_search", label="Account id or service point id")

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(account_id=value) | Q(sp_id=value)) if value else queryset

    class Meta:
        model = OutageCustomer
        fields = ["event", "account_id", "sp_id"]


class OutageMessageFilterSet(FilterSet):
    outcome = django_filters.ChoiceFilter(choices=MessageOutcome.choices)
    received_after = UTCIsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = UTCIsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    event = NumberFilter(field_name="event_id")
    search = django_filters.CharFilter(field_name="external_outage_id", label="Outage id")

    class Meta:
        model = OutageMessage
        fields = ["outcome", "external_system_name", "external_outage_id", "event", "request_id"]
