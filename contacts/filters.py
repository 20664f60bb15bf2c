"""FilterSets of the contacts lists: the analyst API, the admin's Export button, background exports and
``manage.py export`` narrow querysets with these (through ``contacts/exports.py``)."""

import django_filters

from core.filters import ChoiceFilter, DateTimeFilter, FilterSet, MultipleChoiceFilter, NumberFilter, SearchFilter

from .models import ContactStatus, ContactStatusEvent, CustomerContact, DeliveryChannel, Origin


class CustomerContactFilterSet(FilterSet):
    status = MultipleChoiceFilter(choices=ContactStatus.choices)
    # Padded Oracle codes ("SMS ", "NMS "): accepted with or without their padding.
    delivery_channel = MultipleChoiceFilter(choices=DeliveryChannel.choices)
    origin = ChoiceFilter(choices=Origin.choices)
    notification_type = django_filters.CharFilter()
    account_id = django_filters.CharFilter()
    person_id = django_filters.CharFilter()
    external_cc_id = django_filters.CharFilter()
    cc_id = django_filters.CharFilter()
    captured_after = DateTimeFilter(field_name="event_captured_at", lookup_expr="gte")
    captured_before = DateTimeFilter(field_name="event_captured_at", lookup_expr="lt")
    event_captured_at__isnull = django_filters.BooleanFilter(field_name="event_captured_at", lookup_expr="isnull")
    updated_after = DateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = DateTimeFilter(field_name="updated_at", lookup_expr="lt")
    search = SearchFilter(
        "external_cc_id",
        "cc_id",
        "account_id",
        "person_id",
        "contact_id",
        "delivery_value",
        "notification_type",
        "reason",
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
    status = MultipleChoiceFilter(choices=ContactStatus.choices)
    contact = NumberFilter(field_name="contact_id")
    external_cc_id = django_filters.CharFilter(field_name="contact__external_cc_id")
    account_id = django_filters.CharFilter(field_name="contact__account_id")
    applied = django_filters.BooleanFilter()
    received_after = DateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = DateTimeFilter(field_name="received_at", lookup_expr="lt")
    search = SearchFilter("contact__external_cc_id", "contact__account_id", "reason")

    class Meta:
        model = ContactStatusEvent
        fields = ["status", "applied"]
