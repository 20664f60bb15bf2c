"""FilterSets for the analyst API and exports (and tests): one per listed model."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from core.filters import FilterSet, UTCIsoDateTimeFilter

from .models import BlackoutPolicy, Event, EventStatus, Severity, TimeframeState


class BlackoutPolicyFilterSet(FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    search = django_filters.CharFilter(method="filter_search", label="Name or description contains")
    modified_after = UTCIsoDateTimeFilter(field_name="modified_at", lookup_expr="gte")
    modified_before = UTCIsoDateTimeFilter(field_name="modified_at", lookup_expr="lt")
    created_after = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    state = django_filters.ChoiceFilter(choices=TimeframeState.choices, method="filter_state")

    class Meta:
        model = BlackoutPolicy
        fields = ["name", "enabled", "owner", "execution_order"]

    def filter_state(self, queryset, name, value):
        """From the schedule cache the window tick keeps (at most one tick old)."""
        now = timezone.now()
        open_now = Q(enabled=True, window_start__lte=now, window_end__gt=now)
        if value == TimeframeState.ACTIVE:
            return queryset.filter(open_now)
        if value == TimeframeState.EXPIRED:
            return queryset.filter(window_start__isnull=True)
        return queryset.exclude(open_now).filter(window_start__isnull=False)

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value)) if value else queryset


class EventFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=EventStatus.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    event_class = django_filters.CharFilter()
    identifier = django_filters.CharFilter()
    msg = django_filters.CharFilter(lookup_expr="icontains")
    received_after = UTCIsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = UTCIsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    search = django_filters.CharFilter(method="filter_search", label="Message or identifier contains")
    # By id, not a model choice: an unknown policy is an empty list, not a 400.
    blackout_policy = django_filters.UUIDFilter(field_name="blackout_policy_id")

    class Meta:
        model = Event
        fields = ["status", "severity", "event_class", "identifier", "blackout_policy", "source_hostname"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(msg__icontains=value) | Q(identifier__icontains=value)) if value else queryset
