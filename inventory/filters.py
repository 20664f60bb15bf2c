"""FilterSets of the inventory models. Service filters carry the wire names of ``GET .../service``
(``serviceSpecification.name``, ``supportingResource.id``, ``relatedParty.id``) so the same class serves the
wire API, the analyst API and exports."""

import django_filters
from django.db.models import Q

from core.filters import FilterSet, UTCIsoDateTimeFilter

from .models import BusinessInteraction, InteractionState, Party, Place, Resource, Service, Specification


class ServiceFilterSet(FilterSet):
    # state and category match exactly; a value that is no state or category matches nothing.
    name = django_filters.CharFilter(field_name="name")
    state = django_filters.CharFilter(field_name="state")
    category = django_filters.CharFilter(field_name="category")
    search = django_filters.CharFilter(method="filter_search", label="Service id or name contains")
    created_after = UTCIsoDateTimeFilter(field_name="service_date", lookup_expr="gte")
    created_before = UTCIsoDateTimeFilter(field_name="service_date", lookup_expr="lt")

    class Meta:
        model = Service
        fields = ["name", "state", "category"]

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        by_id = Q(pk=int(value)) if value.isdigit() and len(value) < 18 else Q()
        return queryset.filter(by_id | Q(name__icontains=value))

    def filter_supporting_resource(self, queryset, name, value):
        """A CFS is supported by the resources of its supporting services too."""
        return queryset.filter(
            Q(resource_refs__resource_id=value) | Q(supporting_links__supporting__resource_refs__resource_id=value)
        ).distinct()

    def filter_related_party(self, queryset, name, value):
        return queryset.filter(
            Q(party_refs__party_id=value) | Q(supporting_links__supporting__party_refs__party_id=value)
        ).distinct()


# Wire names are not identifiers: declare them on the class's filter table.
ServiceFilterSet.base_filters["serviceSpecification.name"] = django_filters.CharFilter(field_name="specification_id")
ServiceFilterSet.base_filters["supportingResource.id"] = django_filters.CharFilter(method="filter_supporting_resource")
ServiceFilterSet.base_filters["relatedParty.id"] = django_filters.CharFilter(method="filter_related_party")


class BusinessInteractionFilterSet(FilterSet):
    state = django_filters.ChoiceFilter(choices=InteractionState.choices)
    bundles_only = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull")
    created_after = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = django_filters.CharFilter(method="filter_search", label="Interaction id or description contains")

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        by_id = Q(pk=int(value)) if value.isdigit() and len(value) < 18 else Q()
        return queryset.filter(by_id | Q(description__icontains=value))

    class Meta:
        model = BusinessInteraction
        fields = ["state", "activation_requested"]


class SpecificationFilterSet(FilterSet):
    class Meta:
        model = Specification
        fields = ["entity_type"]


class PartyFilterSet(FilterSet):
    class Meta:
        model = Party
        fields = ["role"]


class ResourceFilterSet(FilterSet):
    class Meta:
        model = Resource
        fields = ["type", "lifecycle_state", "status"]


class PlaceFilterSet(FilterSet):
    class Meta:
        model = Place
        fields = ["referred_type"]
