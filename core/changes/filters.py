"""FilterSets of the change log's lists (the analyst API, the admin's Export button, exports)."""

import django_filters

from ..filters import DateTimeFilter, FilterSet, NumberFilter, SearchFilter
from .models import Change, Delivery


class ChangeFilterSet(FilterSet):
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    action = django_filters.CharFilter()
    actor = django_filters.CharFilter()
    request_id = django_filters.CharFilter()
    natural_key = django_filters.CharFilter()
    at_after = DateTimeFilter(field_name="at", lookup_expr="gte")
    at_before = DateTimeFilter(field_name="at", lookup_expr="lt")
    event = django_filters.CharFilter(
        method="filter_event", label="Raised event type", help_text="Changes that raised this event type."
    )
    search = SearchFilter("natural_key", "object_repr", "actor", "request_id", "object_type", "object_id", "action")

    class Meta:
        model = Change
        fields = ["object_type", "object_id", "action", "actor", "request_id", "natural_key"]

    def filter_event(self, queryset, name, value):
        return queryset.filter(events__icontains=f'"{value}"')


class DeliveryFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(choices=Delivery.Status.choices)
    event_type = django_filters.CharFilter()
    subscription = NumberFilter(field_name="subscription_id")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = SearchFilter("event_id", "object_key", "event_type")

    class Meta:
        model = Delivery
        fields = ["status", "event_type", "event_id"]
