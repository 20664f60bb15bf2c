"""Oracle UIM service inventory: reference data, business interactions (bundles) and services.

A bundle is a parent business interaction; each of its items is a customer-facing service (CFS) with its own
child interaction. A CFS may be supported by resource-facing services (RFS) created from characteristics that
name them. Parties, resources, places and specifications are reference data that services point at.
"""

from django.db import models
from django.db.models import F, Q

from core.errors import Invalid

from .choices import (
    ENTITY_TYPE_CHOICES,
    ID_MAX,
    NAME_MAX,
    PHYSICAL_RESOURCE_TYPES,
    AssignmentState,
    ExternalArrangement,
    InteractionState,
    LifecycleState,
    PlaceType,
    ReferenceState,
    ReferenceType,
    ResourceStatus,
    ResourceType,
    ServiceCategory,
    ServiceState,
    ValueType,
)
from .errors import END_BEFORE_START

END_BEFORE_START_MESSAGE = "The end date cannot be before the start date."


def check_service_dates(start_date, end_date, *, field: str = "end_date") -> None:
    """The one rule on a service's dates (model, admin and wire): it cannot end before it starts."""
    if start_date is not None and end_date is not None and end_date < start_date:
        raise Invalid(END_BEFORE_START_MESSAGE, code=END_BEFORE_START, field=field)


class Specification(models.Model):
    """A design-time specification; its id is its name and its version is always 1 (as UIM's)."""

    id = models.CharField(primary_key=True, max_length=NAME_MAX)
    entity_type = models.CharField(max_length=40, choices=ENTITY_TYPE_CHOICES, default="Service")
    description = models.TextField(blank=True)
    version = models.CharField(max_length=20, default="1")
    service_type = models.CharField(
        max_length=NAME_MAX, blank=True, help_text="Business type given to services of this specification."
    )
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.id

    @property
    def name(self) -> str:
        return self.id


class Party(models.Model):
    """A party (customer, warehouse, ...) that services relate to."""

    id = models.CharField(primary_key=True, max_length=ID_MAX)
    name = models.CharField(max_length=NAME_MAX)
    role = models.CharField(max_length=NAME_MAX, blank=True)
    referred_type = models.CharField(max_length=60, default="Party")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "parties"

    def __str__(self):
        return f"{self.id} {self.name}"


class Place(models.Model):
    """A geographic place a service can be associated with."""

    id = models.CharField(primary_key=True, max_length=ID_MAX)
    name = models.CharField(max_length=NAME_MAX, blank=True)
    referred_type = models.CharField(max_length=40, choices=PlaceType.choices, default=PlaceType.GEOGRAPHIC_ADDRESS)
    latitude = models.CharField(max_length=40, blank=True)
    longitude = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.id} {self.name}".strip()


class Resource(models.Model):
    """An inventory resource (a logical device such as ``1-75001``) that supports services."""

    id = models.CharField(primary_key=True, max_length=ID_MAX)
    name = models.CharField(max_length=NAME_MAX, blank=True)
    type = models.CharField(max_length=40, choices=ResourceType.choices, default=ResourceType.LOGICAL_DEVICE)
    description = models.TextField(blank=True)
    lifecycle_state = models.CharField(max_length=30, choices=LifecycleState.choices, default=LifecycleState.INSTALLED)
    lifecycle_sub_state = models.CharField(max_length=30, choices=AssignmentState.choices, blank=True)
    status = models.CharField(max_length=20, choices=ResourceStatus.choices, default=ResourceStatus.AVAILABLE)
    specification = models.ForeignKey(Specification, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.id} {self.name}".strip()

    @property
    def base_type(self) -> str:
        return "PhysicalResource" if self.type in PHYSICAL_RESOURCE_TYPES else "LogicalResource"


class BusinessInteraction(models.Model):
    """A change to the inventory. A bundle is a parent interaction; each bundle item has a child one.

    Parent and children move through their states together. ``activation_requested`` says the bundle should
    be running Approve → Issue → Activate: the sweep re-enqueues any such bundle that is stalled.
    """

    parent = models.ForeignKey("self", null=True, blank=True, related_name="children", on_delete=models.CASCADE)
    state = models.CharField(max_length=20, choices=InteractionState.choices, default=InteractionState.CREATED)
    description = models.CharField(max_length=NAME_MAX, blank=True)
    effective_date = models.DateTimeField(null=True, blank=True)
    activation_requested = models.BooleanField(default=False)
    attempt = models.PositiveIntegerField(default=1, help_text="Incremented by each retry after a failure.")
    failed_state = models.CharField(max_length=20, choices=InteractionState.choices, blank=True)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["state", "updated_at"],
                name="inventory_bi_running_idx",
                condition=Q(activation_requested=True, parent__isnull=True),
            ),
        ]

    def __str__(self):
        kind = "bundle" if self.parent_id is None else "item interaction"
        return f"{kind} {self.pk} ({self.state})"


class InteractionTransition(models.Model):
    """One state change of a bundle: the unique constraint makes a replayed step unable to record twice."""

    interaction = models.ForeignKey(BusinessInteraction, related_name="transitions", on_delete=models.CASCADE)
    attempt = models.PositiveIntegerField(default=1)
    task = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20, choices=InteractionState.choices)
    to_state = models.CharField(max_length=20, choices=InteractionState.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["interaction", "attempt", "to_state"],
                name="%(app_label)s_%(class)s_unique_interaction_attempt_to_state",
            )
        ]

    def __str__(self):
        return f"{self.from_state} → {self.to_state}"


class Service(models.Model):
    """A customer-facing (bundle item) or resource-facing (supporting) service."""

    name = models.CharField(max_length=NAME_MAX, db_index=True)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=3, choices=ServiceCategory.choices, default=ServiceCategory.CFS)
    service_type = models.CharField(max_length=NAME_MAX, blank=True)
    state = models.CharField(max_length=30, choices=ServiceState.choices, default=ServiceState.DESIGNED)
    has_started = models.BooleanField(default=False)
    is_service_enabled = models.BooleanField(default=False)
    specification = models.ForeignKey(Specification, on_delete=models.PROTECT, related_name="services")
    business_interaction = models.ForeignKey(
        BusinessInteraction, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    service_date = models.DateTimeField(auto_now_add=True)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    effective_date = models.DateTimeField(null=True, blank=True)
    external_arrangement = models.CharField(max_length=20, choices=ExternalArrangement.choices, blank=True)
    external_management_domain = models.CharField(max_length=NAME_MAX, blank=True)
    external_name = models.CharField(max_length=NAME_MAX, blank=True)
    external_object_id = models.CharField(max_length=NAME_MAX, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "category"], name="inventory_svc_state_cat_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=END_BEFORE_START_MESSAGE,
            )
        ]

    def __str__(self):
        return f"{self.pk} {self.name} ({self.category})"

    def clean(self):
        super().clean()
        try:
            check_service_dates(self.start_date, self.end_date)
        except Invalid as exc:
            raise exc.as_validation_error() from exc


class ServiceCharacteristic(models.Model):
    """A name/value characteristic of a service, with the UIM config-item fields."""

    service = models.ForeignKey(Service, related_name="characteristics", on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=NAME_MAX)
    value_type = models.CharField(max_length=20, choices=ValueType.choices, blank=True)
    value = models.JSONField(null=True, blank=True)
    service_name = models.CharField(max_length=NAME_MAX, blank=True)
    service_spec_name = models.CharField(max_length=NAME_MAX, blank=True)
    config_item_id = models.CharField(max_length=NAME_MAX, blank=True)
    config_item_name = models.CharField(max_length=NAME_MAX, blank=True)
    config_item_display_name = models.CharField(max_length=NAME_MAX, blank=True)
    config_item_path = models.CharField(max_length=NAME_MAX, blank=True)

    class Meta:
        ordering = ["service_id", "position", "id"]

    def __str__(self):
        return f"{self.name}={self.value}"


class _Reference(models.Model):
    """Fields every service reference (resource, party, place) shares."""

    position = models.PositiveIntegerField(default=0)
    reference_type = models.CharField(max_length=30, choices=ReferenceType.choices, blank=True)
    reference_state = models.CharField(
        max_length=30, choices=ReferenceState.choices, default=ReferenceState.PENDING_REFERENCE
    )
    consumer_name = models.CharField(max_length=NAME_MAX, blank=True)
    config_item_id = models.CharField(max_length=NAME_MAX, blank=True)
    config_item_name = models.CharField(max_length=NAME_MAX, blank=True)
    config_item_display_name = models.CharField(max_length=NAME_MAX, blank=True)

    class Meta:
        abstract = True
        ordering = ["service_id", "position", "id"]


class ServiceResourceRef(_Reference):
    """A supporting resource of a service."""

    service = models.ForeignKey(Service, related_name="resource_refs", on_delete=models.CASCADE)
    resource = models.ForeignKey(Resource, related_name="service_refs", on_delete=models.PROTECT)
    assignment_state = models.CharField(
        max_length=30, choices=AssignmentState.choices, default=AssignmentState.PENDING_ASSIGN
    )

    class Meta(_Reference.Meta):
        verbose_name = "supporting resource"

    def __str__(self):
        return f"resource {self.resource_id}"


class ServicePartyRef(_Reference):
    """A related party of a service (its role comes from the party unless given)."""

    service = models.ForeignKey(Service, related_name="party_refs", on_delete=models.CASCADE)
    party = models.ForeignKey(Party, related_name="service_refs", on_delete=models.PROTECT)
    role = models.CharField(max_length=NAME_MAX, blank=True)
    party_specification_id = models.CharField(max_length=NAME_MAX, blank=True)

    class Meta(_Reference.Meta):
        verbose_name = "related party"
        verbose_name_plural = "related parties"

    def __str__(self):
        return f"party {self.party_id}"


class ServicePlaceRef(_Reference):
    """A place associated with a service."""

    service = models.ForeignKey(Service, related_name="place_refs", on_delete=models.CASCADE)
    place = models.ForeignKey(Place, related_name="service_refs", on_delete=models.PROTECT)
    role = models.CharField(max_length=NAME_MAX, blank=True)
    assignment_state = models.CharField(max_length=30, choices=AssignmentState.choices, blank=True)

    class Meta(_Reference.Meta):
        verbose_name = "place"

    def __str__(self):
        return f"place {self.place_id}"


class ServiceRelationship(models.Model):
    """A link between two services (``relies-on`` between CFS, for example)."""

    service = models.ForeignKey(Service, related_name="relationships", on_delete=models.CASCADE)
    related = models.ForeignKey(Service, related_name="related_from", on_delete=models.PROTECT)
    relationship_type = models.CharField(max_length=NAME_MAX)

    class Meta:
        ordering = ["service_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "related", "relationship_type"],
                name="%(app_label)s_%(class)s_unique_service_related_relationship_type",
            )
        ]

    def __str__(self):
        return f"{self.service_id} {self.relationship_type} {self.related_id}"


class SupportingService(models.Model):
    """A service (an RFS) that supports another (its CFS); a CFS has at most one supporting service per name."""

    service = models.ForeignKey(Service, related_name="supporting_links", on_delete=models.CASCADE)
    supporting = models.ForeignKey(Service, related_name="supported_links", on_delete=models.CASCADE)
    name = models.CharField(max_length=NAME_MAX, help_text="The supporting service's name, unique per service.")

    class Meta:
        ordering = ["service_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="%(app_label)s_%(class)s_unique_service_name"),
            models.UniqueConstraint(
                fields=["service", "supporting"], name="%(app_label)s_%(class)s_unique_service_supporting"
            ),
        ]

    def __str__(self):
        return f"{self.service_id} supported by {self.supporting_id}"
