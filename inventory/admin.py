"""Admin for the inventory: reference data, bundles (with their tasks and activation) and services."""

import dataclasses
import json

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdminMixin, ServiceAdminMixin
from core.admin_formsets import FormsetField
from core.errors import DomainError
from core.imports.admin import ImportExportMixin
from core.lists.admin import ExportMixin

from . import services
from .choices import ServiceState
from .models import (
    BusinessInteraction,
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


class ReferenceDataAdmin(ServiceAdminMixin, ImportExportMixin, admin.ModelAdmin):
    """Reference data, one record at a time through ``services.<entity>_create / _update / _delete`` (recorded in
    the change log); master-data files through the import button."""

    entity = ""  # the services' name: ``specification`` → specification_create, specification_update…
    values_class: type = type(None)  # what those services take (``services.SpecificationValues``…)

    def _service(self, action: str):
        return getattr(services, f"{self.entity}_{action}")

    def _values(self, form, obj, change: bool):
        """The form's values as the services take them; a field the form does not show keeps its stored value
        (its default on add). A related record is given by its id."""
        data = form.cleaned_data
        given = {}
        for field in dataclasses.fields(self.values_class):
            if field.name in data:
                given[field.name] = data[field.name]
            elif field.name.endswith("_id") and field.name[:-3] in data:
                related = data[field.name[:-3]]
                given[field.name] = related.pk if related is not None else None
        stored = services.values_of(obj, self.values_class) if change else None
        return dataclasses.replace(stored, **given) if stored is not None else self.values_class(**given)

    def service_save(self, *, request, obj, form, change):
        entity_id = {f"{self.entity}_id": obj.pk if change else form.cleaned_data.get(self.model._meta.pk.name)}
        return self._service("update" if change else "create")(**entity_id, values=self._values(form, obj, change))

    def service_delete(self, *, request, obj):
        self._service("delete")(**{f"{self.entity}_id": obj.pk})

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, self.model._meta.pk.name] if obj is not None else fields  # the id others refer to


@admin.register(Specification)
class SpecificationAdmin(ReferenceDataAdmin):
    entity = "specification"
    values_class = services.SpecificationValues
    list_display = ("id", "entity_type", "version", "service_type", "start_date", "end_date")
    list_filter = ("entity_type",)
    search_fields = ("id", "description", "service_type")


@admin.register(Party)
class PartyAdmin(ReferenceDataAdmin):
    entity = "party"
    values_class = services.PartyValues
    list_display = ("id", "name", "role", "referred_type")
    list_filter = ("role",)
    search_fields = ("id", "name")


@admin.register(Place)
class PlaceAdmin(ReferenceDataAdmin):
    entity = "place"
    values_class = services.PlaceValues
    list_display = ("id", "name", "referred_type", "latitude", "longitude")
    list_filter = ("referred_type",)
    search_fields = ("id", "name")


@admin.register(Resource)
class ResourceAdmin(ReferenceDataAdmin):
    entity = "resource"
    values_class = services.ResourceValues
    list_display = ("id", "name", "type", "lifecycle_state", "status", "specification")
    list_filter = ("type", "lifecycle_state", "status")
    search_fields = ("id", "name")
    list_select_related = ("specification",)


class TransitionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The bundle's state history: a log, read-only for everyone."""

    model = InteractionTransition
    extra = 0
    fields = ("at", "attempt", "task", "from_state", "to_state", "reason")
    readonly_fields = fields


class ItemInteractionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The items' interactions move with the bundle: shown, never edited by hand."""

    model = BusinessInteraction
    fk_name = "parent"
    extra = 0
    fields = ("id", "state", "items")
    readonly_fields = fields
    verbose_name = "item interaction"
    verbose_name_plural = "item interactions"

    @admin.display(description="services")
    def items(self, obj):
        return ", ".join(f"{s.pk} {s.name}" for s in obj.services.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("services")


def _run(modeladmin, request, queryset, action, label: str):
    """Run a service on each selected bundle; a domain error is shown for that bundle, the others go on."""
    done = 0
    for bundle in queryset.filter(parent__isnull=True):
        try:
            action(bundle)
        except DomainError as exc:
            modeladmin.message_user(request, f"Bundle {bundle.pk}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(label)s: %(n)d bundle.", "%(label)s: %(n)d bundles.", done) % {"label": label, "n": done},
            messages.SUCCESS,
        )


def _task_action(task: str, description: str, label: str):
    """The admin action running one bundle task (``services.bundle_run_task``) on each selected bundle."""

    @admin.action(description=description, permissions=["run_bundle_tasks"])
    def action(modeladmin, request, queryset):
        _run(modeladmin, request, queryset, lambda b: services.bundle_run_task(bundle_id=b.pk, task=task), label)

    action.__name__ = task.lower()
    return action


class BundleItemForm(forms.Form):
    """One item of a new bundle, in the services' terms (``services.NewItem``): a service of a specification, its
    characteristics and the resources, parties and places it references."""

    name = forms.CharField(max_length=200)
    specification = forms.ModelChoiceField(Specification.objects.order_by("id"))
    state = forms.ChoiceField(choices=ServiceState.choices, initial=ServiceState.DESIGNED)
    characteristics = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One per line: name = value"
    )
    resources = forms.ModelMultipleChoiceField(Resource.objects.order_by("id"), required=False)
    parties = forms.ModelMultipleChoiceField(Party.objects.order_by("id"), required=False)
    places = forms.ModelMultipleChoiceField(Place.objects.order_by("id"), required=False)

    def clean_characteristics(self):
        lines = [line for line in self.cleaned_data["characteristics"].splitlines() if line.strip()]
        if any("=" not in line for line in lines):
            raise forms.ValidationError("Write each characteristic as name = value.")
        return [tuple(part.strip() for part in line.split("=", 1)) for line in lines]


def _new_item(data: dict) -> services.NewItem:
    return services.NewItem(
        name=data["name"],
        state=data["state"],
        specification_id=data["specification"].pk,
        characteristics=tuple(services.Characteristic(name=n, value=v) for n, v in data["characteristics"]),
        resources=tuple(services.ResourceRef(resource_id=r.pk, resource_type=r.type) for r in data["resources"]),
        parties=tuple(services.PartyRef(party_id=p.pk) for p in data["parties"]),
        places=tuple(services.PlaceRef(place_id=p.pk) for p in data["places"]),
    )


BundleItemFormSet = forms.formset_factory(BundleItemForm, extra=0, min_num=1)
BundleItemFormSet.row_label = "Item"


class BundleAddForm(forms.ModelForm):
    items = FormsetField(BundleItemFormSet, help_text="Each item becomes a service, designed with the bundle.")

    class Meta:
        model = BusinessInteraction
        fields = ("description", "effective_date")


def _start_activation(bundle):
    with transaction.atomic():
        services.bundle_request_activation(bundle=BusinessInteraction.objects.select_for_update().get(pk=bundle.pk))


@admin.register(BusinessInteraction)
class BusinessInteractionAdmin(ServiceAdminMixin, ExportMixin, admin.ModelAdmin):
    """Bundles (parent interactions). Adding designs a bundle with its items (``bundle_create``, as the UIM API);
    actions run one task, or the whole activation in the background. Bundles are never deleted: cancel them."""

    list_display = ("id", "state", "description", "item_count", "activation_requested", "failure_reason", "updated_at")
    list_filter = ("state", "activation_requested")
    search_fields = ("id", "description", "services__name")
    readonly_fields = (
        "state",
        "attempt",
        "failed_state",
        "failure_reason",
        "activation_requested",
        "created_at",
        "updated_at",
        "parent",
    )
    fields = ("description", "effective_date", *readonly_fields)
    inlines = (ItemInteractionInline, TransitionInline)
    actions = ("run_activation", "approve", "issue", "activate", "cancel", "retry")
    list_select_related = ("parent",)
    export_filters = {"bundles_only": "true"}  # the changelist shows bundles only (get_queryset): so do its exports

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BundleAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("description", "effective_date", "items") if obj is None else self.fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.filter(parent__isnull=True).annotate(_items=Count("children"))
        return queryset

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.parent_id is not None:
            return False  # an item interaction moves with its bundle
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, *, request, obj, form, change):
        data = form.cleaned_data
        if change:
            return services.bundle_edit(
                bundle_id=obj.pk, description=data.get("description", ""), effective_date=data.get("effective_date")
            )
        return services.bundle_create(
            items=[_new_item(row) for row in data["items"]],
            design_only=True,
            description=data.get("description", ""),
            effective_date=data.get("effective_date"),
        )

    @admin.display(description="items")
    def item_count(self, obj):
        return getattr(obj, "_items", None)

    @admin.action(
        description="Activate in the background (approve → issue → activate)", permissions=["run_bundle_tasks"]
    )
    def run_activation(self, request, queryset):
        _run(self, request, queryset, _start_activation, "Activation started")

    approve = _task_action("APPROVE", "Approve", "Approved")
    issue = _task_action("ISSUE", "Issue", "Issued")
    activate = _task_action("ACTIVATE", "Activate (now)", "Activated")
    cancel = _task_action("CANCEL", "Cancel", "Cancelled")

    @admin.action(description="Retry failed activation", permissions=["run_bundle_tasks"])
    def retry(self, request, queryset):
        _run(self, request, queryset, lambda b: services.bundle_retry(bundle_id=b.pk), "Retried")


@admin.register(InteractionTransition)
class InteractionTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The bundles' state history: read-only for everyone (a forged row would block a real activation)."""

    list_display = ("interaction", "attempt", "task", "from_state", "to_state", "at")
    list_filter = ("task", "to_state")
    search_fields = ("interaction__id", "reason")
    list_select_related = ("interaction",)


class _ServiceRowsInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A service's rows: replaced by a bundle update (the UIM API), shown here."""

    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class CharacteristicInline(_ServiceRowsInline):
    model = ServiceCharacteristic
    fields = ("position", "name", "value_type", "short_value", "service_name", "service_spec_name", "config_item_path")

    @admin.display(description="value")
    def short_value(self, obj):
        text = obj.value if isinstance(obj.value, str) else json.dumps(obj.value)
        return text if len(text) <= 60 else f"{text[:59]}…"


class ResourceRefInline(_ServiceRowsInline):
    model = ServiceResourceRef
    fields = ("position", "resource", "consumer_name", "reference_state", "assignment_state")


class PartyRefInline(_ServiceRowsInline):
    model = ServicePartyRef
    fields = ("position", "party", "role", "reference_type", "consumer_name", "reference_state")


class PlaceRefInline(_ServiceRowsInline):
    model = ServicePlaceRef
    fields = ("position", "place", "role", "reference_type", "consumer_name", "reference_state")


class RelationshipInline(_ServiceRowsInline):
    model = ServiceRelationship
    fk_name = "service"
    fields = ("relationship_type", "related")


class SupportingServiceInline(_ServiceRowsInline):
    model = SupportingService
    fk_name = "service"
    fields = ("name", "supporting")


@admin.register(Service)
class ServiceAdmin(ServiceAdminMixin, ImportExportMixin, admin.ModelAdmin):
    """Services. Bundles make and activate them; staff may add a standalone service (one that items relate to)
    and edit descriptive fields and dates. Lifecycle fields and rows are read-only here."""

    list_display = ("id", "name", "category", "state", "specification", "business_interaction", "has_started")
    list_filter = ("category", "state", "has_started", "is_service_enabled", "specification")
    search_fields = ("id", "name", "external_object_id")
    list_select_related = ("specification", "business_interaction")
    autocomplete_fields = ("specification",)
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

    def get_readonly_fields(self, request, obj=None):
        lifecycle = ("business_interaction", "has_started", "is_service_enabled", "service_date")
        if obj is None:
            return lifecycle
        return (*lifecycle, "category", "specification", "state")

    def has_delete_permission(self, request, obj=None):
        return False  # a service belongs to the inventory's history; bundles cancel it

    def service_save(self, *, request, obj, form, change):
        data = form.cleaned_data
        given = {name: data[name] for name in services.service_records.EDITABLE_FIELDS if name in data}
        if change:
            details = dataclasses.replace(services.details_of(obj), **given)
            return services.service_update(service_id=obj.pk, details=details)
        lifecycle = {name: data[name] for name in ("state", "category") if data.get(name)}
        specification = data.get("specification")
        return services.service_create(
            specification_id=specification.pk if specification is not None else None,
            details=services.ServiceDetails(**given),
            **lifecycle,
        )
