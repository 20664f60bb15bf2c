"""FilterSets of the blackouts lists: the analyst API, the admin's Export button, background exports and
``manage.py export`` narrow querysets with these (through ``blackouts/exports.py``)."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from core.filters import ChoiceFilter, DateTimeFilter, FilterSet, MultipleChoiceFilter, SearchFilter

from .models import BlackoutPolicy, Event, EventStatus, Severity, TimeframeState


class BlackoutPolicyFilterSet(FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    search = SearchFilter("name", "description", "selector_criteria", "owner")
    modified_after = DateTimeFilter(field_name="modified_at", lookup_expr="gte")
    modified_before = DateTimeFilter(field_name="modified_at", lookup_expr="lt")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    state = ChoiceFilter(choices=TimeframeState.choices, method="filter_state", label="Window state now")
    in_error = django_filters.BooleanFilter(method="filter_in_error", label="The window tick could not apply it")

    class Meta:
        model = BlackoutPolicy
        fields = [
            "name",
            "enabled",
            "owner",
            "execution_order",
            "blackout_existing_events",
            "reset_status_on_blackout_end",
        ]

    def filter_in_error(self, queryset, name, value):
        return queryset.exclude(apply_error="") if value else queryset.filter(apply_error="")

    def filter_state(self, queryset, name, value):
        """From the schedule cache the window tick keeps (at most one tick old)."""
        now = timezone.now()
        open_now = Q(enabled=True, window_start__lte=now, window_end__gt=now)
        if value == TimeframeState.ACTIVE:
            return queryset.filter(open_now)
        if value == TimeframeState.EXPIRED:
            return queryset.filter(window_start__isnull=True)
        return queryset.exclude(open_now).filter(window_start__isnull=False)


class EventFilterSet(FilterSet):
    status = MultipleChoiceFilter(choices=EventStatus.choices)
    severity = MultipleChoiceFilter(choices=Severity.choices)
    event_class = django_filters.CharFilter()
    identifier = django_filters.CharFilter()
    msg = django_filters.CharFilter(lookup_expr="icontains")
    received_after = DateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = DateTimeFilter(field_name="received_at", lookup_expr="lt")
    search = SearchFilter(
        "identifier", "event_class", "msg", "source_hostname", "source_identifier", "blackout_policy__name"
    )
    # By id, not a model choice: an unknown policy is an empty list, not a 400.
    blackout_policy = django_filters.UUIDFilter(field_name="blackout_policy_id")
    blackout_policy__isnull = django_filters.BooleanFilter(field_name="blackout_policy", lookup_expr="isnull")

    class Meta:
        model = Event
        fields = ["status", "severity", "event_class", "identifier", "blackout_policy", "source_hostname"]
