"""FilterSets for the analyst API and exports (and tests): one per listed model."""

import django_filters
from django.db.models import Q

from .models import BlackoutPolicy, Event, EventStatus, Severity


class BlackoutPolicyFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    search = django_filters.CharFilter(method="filter_search", label="Name or description contains")
    modified_after = django_filters.IsoDateTimeFilter(field_name="modified_at", lookup_expr="gte")

    class Meta:
        model = BlackoutPolicy
        fields = ["name", "enabled", "owner", "execution_order"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value)) if value else queryset


class EventFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=EventStatus.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    event_class = django_filters.CharFilter()
    identifier = django_filters.CharFilter()
    msg = django_filters.CharFilter(lookup_expr="icontains")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Event
        fields = ["status", "severity", "event_class", "identifier", "blackout_policy", "source_hostname"]
