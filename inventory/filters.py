"""FilterSets of the inventory models. Service filters carry the wire names of ``GET .../service``
(``serviceSpecification.name``, ``supportingResource.id``, ``relatedParty.id``) so the same class serves the
wire API, the analyst API and exports."""

import django_filters
from django.db.models import Q

from .models import BusinessInteraction, InteractionState, Party, Place, Resource, Service, Specification


class ServiceFilterSet(django_filters.FilterSet):
    # state and category match exactly; a value that is no state or category matches nothing.
    name = django_filters.CharFilter(field_name="name")
    state = django_filters.CharFilter(field_name="state")
    category = django_filters.CharFilter(field_name="category")

    class Meta:
        model = Service
        fields = ["name", "state", "category"]

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


class BusinessInteractionFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=InteractionState.choices)
    bundles_only = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull")

    class Meta:
        model = BusinessInteraction
        fields = ["state", "activation_requested"]


class SpecificationFilterSet(django_filters.FilterSet):
    class Meta:
        model = Specification
        fields = ["entity_type"]


class PartyFilterSet(django_filters.FilterSet):
    class Meta:
        model = Party
        fields = ["role"]


class ResourceFilterSet(django_filters.FilterSet):
    class Meta:
        model = Resource
        fields = ["type", "lifecycle_state", "status"]


class PlaceFilterSet(django_filters.FilterSet):
    class Meta:
        model = Place
        fields = ["referred_type"]
