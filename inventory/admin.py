"""Admin for the inventory: reference data, bundles (with their tasks and activation) and services."""

from django.contrib import admin, messages
from django.db.models import Count

from core.admin import ExportMixin
from core.wire.common import WireError

from . import services
from .models import (
    BusinessInteraction,
    InteractionState,
    InteractionTransition,
    Party,
    Place,
    Resource,
    Service,
    ServiceCharacteristic,
    ServicePartyRef,
    ServicePlaceRef,
    ServiceRelationship,
    ServiceResourceRef,
    Specification,
    SupportingService,
)


@admin.register(Specification)
class SpecificationAdmin(admin.ModelAdmin):
    list_display = ("id", "entity_type", "version", "service_type", "start_date", "end_date")
    list_filter = ("entity_type",)
    search_fields = ("id", "description", "service_type")


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "role", "referred_type")
    list_filter = ("role",)
    search_fields = ("id", "name")


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "referred_type", "latitude", "longitude")
    list_filter = ("referred_type",)
    search_fields = ("id", "name")


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "type", "lifecycle_state", "status", "specification")
    list_filter = ("type", "lifecycle_state", "status")
    search_fields = ("id", "name")
    list_select_related = ("specification",)


class TransitionInline(admin.TabularInline):
    model = InteractionTransition
    extra = 0
    can_delete = False
    fields = ("at", "attempt", "task", "from_state", "to_state", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ItemInteractionInline(admin.TabularInline):
    model = BusinessInteraction
    fk_name = "parent"
    extra = 0
    can_delete = False
    fields = ("id", "state", "items")
    readonly_fields = fields
    verbose_name = "item interaction"
    verbose_name_plural = "item interactions"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="services")
    def items(self, obj):
        return ", ".join(f"{s.pk} {s.name}" for s in obj.services.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("services")


def _run(modeladmin, request, queryset, action, label: str):
    done = 0
    for bundle in queryset.filter(parent__isnull=True):
        try:
            action(bundle)
        except WireError as exc:
            modeladmin.message_user(request, f"Bundle {bundle.pk}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, f"{label}: {done} bundle(s).", messages.SUCCESS)


@admin.register(BusinessInteraction)
class BusinessInteractionAdmin(ExportMixin, admin.ModelAdmin):
    """Bundles (parent interactions). Actions run one task, or the whole activation in the background."""

    list_display = ("id", "state", "description", "item_count", "activation_requested", "failure_reason", "updated_at")
    list_filter = ("state", "activation_requested")
    search_fields = ("id", "description", "services__name")
    readonly_fields = ("state", "attempt", "failed_state", "failure_reason", "created_at", "updated_at", "parent")
    fields = ("description", "effective_date", *readonly_fields, "activation_requested")
    inlines = (ItemInteractionInline, TransitionInline)
    actions = ("run_activation", "approve", "issue", "activate", "cancel", "retry")
    list_select_related = ("parent",)
    export_filters = {"bundles_only": "true"}  # the changelist shows bundles only (get_queryset): so do its exports

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.filter(parent__isnull=True).annotate(_items=Count("children"))
        return queryset

    @admin.display(description="items")
    def item_count(self, obj):
        return getattr(obj, "_items", None)

    @admin.action(description="Activate in the background (approve → issue → activate)")
    def run_activation(self, request, queryset):
        def start(bundle):
            if bundle.state not in (*services.OPEN_STATES, InteractionState.APPROVED, InteractionState.ISSUED):
                raise WireError(f"it is {bundle.state}.")
            services.bundle_request_activation(bundle=bundle)

        _run(self, request, queryset, start, "Activation started")

    @admin.action(description="Approve")
    def approve(self, request, queryset):
        _run(self, request, queryset, lambda b: services.bundle_run_task(bundle_id=b.pk, task="APPROVE"), "Approved")

    @admin.action(description="Issue")
    def issue(self, request, queryset):
        _run(self, request, queryset, lambda b: services.bundle_run_task(bundle_id=b.pk, task="ISSUE"), "Issued")

    @admin.action(description="Activate (now)")
    def activate(self, request, queryset):
        _run(self, request, queryset, lambda b: services.bundle_run_task(bundle_id=b.pk, task="ACTIVATE"), "Activated")

    @admin.action(description="Cancel")
    def cancel(self, request, queryset):
        _run(self, request, queryset, lambda b: services.bundle_run_task(bundle_id=b.pk, task="CANCEL"), "Cancelled")

    @admin.action(description="Retry failed activation")
    def retry(self, request, queryset):
        _run(self, request, queryset, lambda b: services.bundle_retry(bundle_id=b.pk), "Retried")


@admin.register(InteractionTransition)
class InteractionTransitionAdmin(admin.ModelAdmin):
    list_display = ("interaction", "attempt", "task", "from_state", "to_state", "at")
    list_filter = ("task", "to_state")
    search_fields = ("interaction__id", "reason")
    list_select_related = ("interaction",)


class CharacteristicInline(admin.TabularInline):
    model = ServiceCharacteristic
    extra = 0
    fields = ("position", "name", "value_type", "value", "service_name", "service_spec_name", "config_item_path")


class ResourceRefInline(admin.TabularInline):
    model = ServiceResourceRef
    extra = 0
    autocomplete_fields = ("resource",)
    fields = ("position", "resource", "consumer_name", "reference_state", "assignment_state")


class PartyRefInline(admin.TabularInline):
    model = ServicePartyRef
    extra = 0
    autocomplete_fields = ("party",)
    fields = ("position", "party", "role", "reference_type", "consumer_name", "reference_state")


class PlaceRefInline(admin.TabularInline):
    model = ServicePlaceRef
    extra = 0
    autocomplete_fields = ("place",)
    fields = ("position", "place", "role", "reference_type", "consumer_name", "reference_state")


class RelationshipInline(admin.TabularInline):
    model = ServiceRelationship
    fk_name = "service"
    extra = 0
    raw_id_fields = ("related",)
    fields = ("relationship_type", "related")


class SupportingServiceInline(admin.TabularInline):
    model = SupportingService
    fk_name = "service"
    extra = 0
    raw_id_fields = ("supporting",)
    fields = ("name", "supporting")


@admin.register(Service)
class ServiceAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ("id", "name", "category", "state", "specification", "business_interaction", "has_started")
    list_filter = ("category", "state", "has_started", "is_service_enabled", "specification")
    search_fields = ("id", "name", "external_object_id")
    list_select_related = ("specification", "business_interaction")
    raw_id_fields = ("business_interaction",)
    autocomplete_fields = ("specification",)
    readonly_fields = ("service_date",)
    fieldsets = (
        (None, {"fields": ("name", "description", "category", "service_type", "specification", "state")}),
        ("Lifecycle", {"fields": ("business_interaction", "has_started", "is_service_enabled", "service_date",
                                  "start_date", "end_date", "effective_date")}),
        ("External identity", {"fields": ("external_arrangement", "external_management_domain", "external_name",
                                          "external_object_id")}),
    )  # fmt: skip
    inlines = (
        CharacteristicInline,
        ResourceRefInline,
        PartyRefInline,
        PlaceRefInline,
        RelationshipInline,
        SupportingServiceInline,
    )
