"""FilterSets of the outages lists: the analyst API, the admin's Export button, background exports and
``manage.py export`` narrow querysets with these (through ``outages/exports.py``)."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from core.filters import ChoiceFilter, DateTimeFilter, FilterSet, NumberFilter, SearchFilter

from .models import ExternalSystem, MessageOutcome, OutageCustomer, OutageEvent, OutageMessage, OutageState, OutageType


class OutageEventSearchFilter(SearchFilter):
    """Also finds the outages that list the term as an account id or service point id (exactly, indexed)."""

    def condition(self, value):
        listed = OutageCustomer.objects.filter(Q(account_id=value) | Q(sp_id=value), event=OuterRef("pk"))
        return super().condition(value) | Q(Exists(listed))


class OutageEventFilterSet(FilterSet):
    external_system = django_filters.CharFilter(field_name="external_system__name")
    external_system_id = NumberFilter(field_name="external_system_id", label="External system (database id)")
    outage_type = ChoiceFilter(choices=OutageType.choices)
    state = ChoiceFilter(choices=OutageState.choices)
    start_after = DateTimeFilter(field_name="start_date_time", lookup_expr="gte")
    start_before = DateTimeFilter(field_name="start_date_time", lookup_expr="lt")
    etr_before = DateTimeFilter(field_name="estimated_restoration_time", lookup_expr="lt")
    start_date_time__isnull = django_filters.BooleanFilter(field_name="start_date_time", lookup_expr="isnull")
    account_id = django_filters.CharFilter(method="filter_customer", label="Lists the account id")
    sp_id = django_filters.CharFilter(method="filter_customer", label="Lists the service point id")
    search = OutageEventSearchFilter("external_system__name", "external_outage_id", "message_reference")

    class Meta:
        model = OutageEvent
        fields = ["external_system", "outage_type", "state", "discarded", "external_outage_id"]

    def filter_customer(self, queryset, name, value):
        listed = OutageCustomer.objects.filter(Q(**{name: value}), event=OuterRef("pk"))
        return queryset.filter(Exists(listed))


class OutageCustomerFilterSet(FilterSet):
    event = NumberFilter(field_name="event_id")
    outage_id = django_filters.CharFilter(field_name="event__external_outage_id")
    external_system = django_filters.CharFilter(field_name="event__external_system__name")
    state = ChoiceFilter(field_name="event__state", choices=OutageState.choices)
    outage_type = ChoiceFilter(field_name="event__outage_type", choices=OutageType.choices)
    start_after = DateTimeFilter(field_name="event__start_date_time", lookup_expr="gte")
    start_before = DateTimeFilter(field_name="event__start_date_time", lookup_expr="lt")
    search = SearchFilter("event__external_outage_id", "account_id", "sp_id")

    class Meta:
        model = OutageCustomer
        fields = ["event", "account_id", "sp_id"]


class OutageMessageFilterSet(FilterSet):
    outcome = ChoiceFilter(choices=MessageOutcome.choices)
    received_after = DateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = DateTimeFilter(field_name="received_at", lookup_expr="lt")
    event = NumberFilter(field_name="event_id")
    search = SearchFilter(
        "external_system_name",
        "external_outage_id",
        "message_reference",
        "reason",
        "received_by",
        "content_type",
    )

    class Meta:
        model = OutageMessage
        fields = ["outcome", "external_system_name", "external_outage_id", "event", "request_id"]


class ExternalSystemFilterSet(FilterSet):
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = SearchFilter("name", "description")

    class Meta:
        model = ExternalSystem
        fields = ["name", "is_active"]
