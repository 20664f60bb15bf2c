"""FilterSets of the contacts models: the admin's and the analyst API/exports' way to narrow a queryset."""

import django_filters
from django.db.models import Q

from core.filters import FilterSet, UTCIsoDateTimeFilter

from .models import (
    ContactStatus,
    ContactStatusEvent,
    CustomerContact,
    CustomerContactIdentifier,
    DeliveryChannel,
    Origin,
)


class CustomerContactFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ContactStatus.choices)
    delivery_channel = django_filters.MultipleChoiceFilter(choices=DeliveryChannel.choices)
    origin = django_filters.ChoiceFilter(choices=Origin.choices)
    notification_type = django_filters.CharFilter()
    account_id = django_filters.CharFilter()
    person_id = django_filters.CharFilter()
    external_cc_id = django_filters.CharFilter()
    cc_id = django_filters.CharFilter()
    captured_after = UTCIsoDateTimeFilter(field_name="event_captured_at", lookup_expr="gte")
    captured_before = UTCIsoDateTimeFilter(field_name="event_captured_at", lookup_expr="lt")
    updated_after = UTCIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = UTCIsoDateTimeFilter(field_name="updated_at", lookup_expr="lt")
    search = django_filters.CharFilter(
        method="filter_search", label="External id, ccId, account, person or delivery value"
    )

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(external_cc_id=value)
            | Q(cc_id=value)
            | Q(account_id=value)
            | Q(person_id=value)
            | Q(delivery_value__iexact=value)
        )

    class Meta:
        model = CustomerContact
        fields = [
            "status",
            "delivery_channel",
            "origin",
            "notification_type",
            "account_id",
            "person_id",
            "external_cc_id",
            "cc_id",
        ]


class ContactStatusEventFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ContactStatus.choices)
    external_cc_id = django_filters.CharFilter(field_name="contact__external_cc_id")
    account_id = django_filters.CharFilter(field_name="contact__account_id")
    applied = django_filters.BooleanFilter()
    received_after = UTCIsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = UTCIsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    search = django_filters.CharFilter(field_name="contact__external_cc_id", label="External CC id")

    class Meta:
        model = ContactStatusEvent
        fields = ["status", "applied"]


class CustomerContactIdentifierFilterSet(FilterSet):
    external_ref_id = django_filters.CharFilter()
    identifier_type = django_filters.CharFilter()
    external_cc_id = django_filters.CharFilter(field_name="contact__external_cc_id")

    class Meta:
        model = CustomerContactIdentifier
        fields = ["external_ref_id", "identifier_type"]
