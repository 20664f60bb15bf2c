"""FilterSets of the inventory lists. Service filters carry the wire names of ``GET .../service``
(``serviceSpecification.name``, ``supportingResource.id``, ``relatedParty.id``) so the same class serves the
wire API, the analyst API, the admin's Export button, background exports and ``manage.py export``."""

import django_filters
from django.db.models import Q

from core.filters import BlankableFilter, ChoiceFilter, DateTimeFilter, FilterSet, IdOrTextSearchFilter, SearchFilter

from .models import BusinessInteraction, InteractionState, Party, Place, Resource, Service, Specification


class ServiceFilterSet(FilterSet):
    # state and category match exactly; a value that is no state or category matches nothing.
    name = django_filters.CharFilter(field_name="name")
    state = django_filters.CharFilter(field_name="state")
    category = django_filters.CharFilter(field_name="category")
    search = IdOrTextSearchFilter("name", "service_type", "specification__id")
    created_after = DateTimeFilter(field_name="service_date", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="service_date", lookup_expr="lt")

    class Meta:
        model = Service
        fields = ["name", "state", "category", "has_started", "is_service_enabled"]

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
ServiceFilterSet.base_filters["serviceSpecification.name"] = django_filters.CharFilter(
    field_name="specification_id", label="Specification"
)
ServiceFilterSet.base_filters["supportingResource.id"] = django_filters.CharFilter(
    method="filter_supporting_resource", label="Supporting resource id"
)
ServiceFilterSet.base_filters["relatedParty.id"] = django_filters.CharFilter(
    method="filter_related_party", label="Related party id"
)


class BusinessInteractionFilterSet(FilterSet):
    state = ChoiceFilter(choices=InteractionState.choices)
    bundles_only = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label="Bundles only")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = IdOrTextSearchFilter("description", "failure_reason")

    class Meta:
        model = BusinessInteraction
        fields = ["state", "activation_requested"]


class SpecificationFilterSet(FilterSet):
    start_after = DateTimeFilter(field_name="start_date", lookup_expr="gte")
    start_before = DateTimeFilter(field_name="start_date", lookup_expr="lt")
    search = SearchFilter("id", "description", "version", "service_type")

    class Meta:
        model = Specification
        fields = ["entity_type"]


class PartyFilterSet(FilterSet):
    role = BlankableFilter(field_name="role")
    search = SearchFilter("id", "name", "role", "referred_type")

    class Meta:
        model = Party
        fields = []


class PlaceFilterSet(FilterSet):
    search = SearchFilter("id", "name", "latitude", "longitude")

    class Meta:
        model = Place
        fields = ["referred_type"]


class ResourceFilterSet(FilterSet):
    specification = django_filters.CharFilter(field_name="specification__id")
    search = SearchFilter("id", "name", "description", "specification__id")

    class Meta:
        model = Resource
        fields = ["type", "lifecycle_state", "status"]
