"""Admin for programs, CIS reference data, enrollments, unenrollments and appointments.

Every write goes through ``enrollments.services`` (``ServiceAdminMixin``): an enrollment is added as the wire's
enroll adds it (status derived from its dates), reference rows get their derived keys. Unenrollments, their
appointments and device returns record what happened: read-only for everyone (``ReadOnlyAdminMixin``); they change
only through services (the actions below, the wire API, the daily task).
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdminMixin, ServiceAdminMixin
from core.imports.admin import ImportExportMixin
from core.lists.admin import ExportMixin

from . import services
from .api.errors import MESSAGE_NUMBERS
from .models import (
    Appointment,
    Customer,
    Device,
    DeviceReturn,
    Enrollment,
    EnrollmentStatus,
    Premise,
    Program,
    ServiceAgreement,
    ServicePoint,
    Unenrollment,
    UnenrollReason,
)


def _link(obj, label=None):
    if obj is None:
        return "-"
    url = reverse(f"admin:enrollments_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


class ReferenceAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Programs, CIS mirror rows and devices: saved through ``services.reference_save`` (derived keys, checks)."""

    def service_save(self, *, request, obj, form, change):
        return services.reference_save(obj=obj)


class ReadOnlyInline(admin.TabularInline):
    """Shows related rows; they are added and changed on their own pages (through the services)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_view_permission(self, request, obj=None):
        # Nothing to show on an add page (and no formset for the form to require).
        return obj is not None and super().has_view_permission(request, obj)

    def get_queryset(self, request):
        # InlineModelAdmin empties its queryset when has_view_permission(request) -- asked without an object, so
        # False here -- says no; the object's own page has already checked the permission with the object.
        return admin.options.BaseModelAdmin.get_queryset(self, request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(ImportExportMixin, ReferenceAdmin):
    list_display = ("program_id", "name", "is_active", "enrollment_count")
    list_filter = ("is_active",)
    search_fields = ("program_id", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_enrollments=Count("enrollments"))

    @admin.display(description="enrollments", ordering="_enrollments")
    def enrollment_count(self, obj):
        return obj._enrollments


@admin.register(Customer)
class CustomerAdmin(ImportExportMixin, ReferenceAdmin):
    list_display = ("name", "cis_account_id", "cis_person_id")
    search_fields = ("=cis_account_id", "=cis_person_id", "name")
    readonly_fields = ("name_key",)


class ServicePointInline(ReadOnlyInline):
    model = ServicePoint
    fields = ("cis_service_point_id", "service_type")


@admin.register(Premise)
class PremiseAdmin(ImportExportMixin, ReferenceAdmin):
    list_display = ("cis_premise_id", "address1", "city", "state", "postal", "country", "division", "time_zone")
    list_filter = ("state", "country", "division")
    search_fields = ("=cis_premise_id", "address1", "city", "postal")
    readonly_fields = ("address_key",)
    inlines = [ServicePointInline]


@admin.register(ServicePoint)
class ServicePointAdmin(ImportExportMixin, ReferenceAdmin):
    list_display = ("cis_service_point_id", "premise", "service_type")
    list_select_related = ("premise",)
    search_fields = ("=cis_service_point_id", "=premise__cis_premise_id", "premise__address1")
    raw_id_fields = ("premise",)


@admin.register(ServiceAgreement)
class ServiceAgreementAdmin(ImportExportMixin, ReferenceAdmin):
    """Which customer (account) has service at which service point, as the CIS knows it."""

    list_display = ("id", "customer", "service_point")
    list_select_related = ("customer", "service_point")
    search_fields = ("=customer__cis_account_id", "=service_point__cis_service_point_id", "customer__name")
    raw_id_fields = ("customer", "service_point")


class DeviceInline(ReadOnlyInline):
    model = Device
    fields = ("serial_number", "asset_type", "asset_ownership", "status")


class UnenrollmentInline(ReadOnlyInline):
    model = Unenrollment
    fk_name = "enrollment"
    fields = ("transaction_id", "status", "reason", "end_date", "removal_method", "expanded_message", "created_at")


@admin.register(Enrollment)
class EnrollmentAdmin(ServiceAdminMixin, ExportMixin, admin.ModelAdmin):
    """Add = enroll (``services.enrollment_create``); change = move the start or planned end of an enrollment not
    being unenrolled (``services.enrollment_update``); end = the *Unenroll today* action. The status always
    follows the dates. Enrollments are history: not deleted here."""

    list_display = ("id", "program", "customer_name", "account", "service_point", "status", "start_date", "end_date")
    list_filter = ("program", "status")
    list_select_related = ("program", "customer", "service_point")
    search_fields = (
        "=customer__cis_account_id",
        "=customer__cis_person_id",
        "=service_point__cis_service_point_id",
        "customer__name",
    )
    raw_id_fields = ("customer", "service_point")
    fields = (
        "customer",
        "service_point",
        "program",
        "status",
        "start_date",
        "end_date",
        "transaction_id",
        "created_at",
    )
    readonly_fields = ("status", "transaction_id", "created_at", "updated_at")
    date_hierarchy = "start_date"
    inlines = [DeviceInline, UnenrollmentInline]
    actions = ["unenroll_today"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["customer", "service_point", "program"]
            if obj.status not in (EnrollmentStatus.PENDING, EnrollmentStatus.ENROLLED):
                fields += ["start_date", "end_date"]
        return fields

    def has_delete_permission(self, request, obj=None):
        return False

    def service_validate(self, *, request, form, change):
        if change:
            return
        data = form.cleaned_data
        services.enrollment_validate(
            customer=data["customer"],
            service_point=data["service_point"],
            program=data["program"],
            start_date=data["start_date"],
            end_date=data.get("end_date"),
        )

    def service_save(self, *, request, obj, form, change):
        if change:
            return services.enrollment_update(enrollment=obj, start_date=obj.start_date, end_date=obj.end_date)
        return services.enrollment_create(
            customer=obj.customer,
            service_point=obj.service_point,
            program=obj.program,
            start_date=obj.start_date,
            end_date=obj.end_date,
        )

    @admin.display(description="customer", ordering="customer__name")
    def customer_name(self, obj):
        return obj.customer.name

    @admin.display(description="account", ordering="customer__cis_account_id")
    def account(self, obj):
        return obj.customer.cis_account_id

    @admin.action(description="Unenroll today (customer opt-out, devices kept)", permissions=["unenroll"])
    def unenroll_today(self, request, queryset):
        count = services.enrollment_unenroll_now(
            enrollments=queryset, reason=UnenrollReason.CUSTOMEROPTOUT, requested_by=request.user
        )
        self.message_user(
            request,
            ngettext("%(n)d enrollment unenrolled.", "%(n)d enrollments unenrolled.", count) % {"n": count},
            messages.SUCCESS,
        )


class AppointmentInline(ReadOnlyInline):
    model = Appointment
    fields = ("activity_type", "crew_id", "crew_shift_id", "start", "end", "work_availability_hours")


class DeviceReturnInline(ReadOnlyInline):
    model = DeviceReturn
    fields = ("device", "status", "received_at")


@admin.register(Unenrollment)
class UnenrollmentAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    """What was asked and what came of it: read-only for everyone."""

    list_display = (
        "id",
        "transaction_id",
        "status",
        "reason",
        "program_id",
        "end_date",
        "removal_method",
        "enrollment_link",
        "created_at",
    )
    list_filter = ("reason", "status", "removal_method")
    list_select_related = ("enrollment",)
    search_fields = ("=transaction_id",)
    date_hierarchy = "created_at"
    raw_id_fields = ("enrollment", "requested_by")
    readonly_fields = ("enrollment_link", "request", "message", "created_at", "completed_at")
    fieldsets = (
        (None, {"fields": ("transaction_id", "status", "reason", "program_id", "end_date", "enrollment_link")}),
        ("Device removal", {"fields": ("asset_ownership", "removal_method")}),
        ("Outcome", {"fields": ("message", "created_at", "completed_at", "requested_by")}),
        ("Request as received", {"fields": ("request",), "classes": ("collapse",)}),
    )
    inlines = [AppointmentInline, DeviceReturnInline]
    actions = ["complete_due"]

    @admin.display(description="enrollment")
    def enrollment_link(self, obj):
        return _link(obj.enrollment, f"enrollment {obj.enrollment_id}") if obj.enrollment_id else "-"

    @admin.display(description="exception")
    def message(self, obj):
        if not obj.error_code:
            return "-"
        number = MESSAGE_NUMBERS.get(obj.error_code, "-")
        return f"{number} ({obj.error_code}): {obj.expanded_message}"

    @admin.display(description="request body")
    def request(self, obj):
        rows = sorted((obj.request_body or {}).items())
        return format_html(
            "<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd><code>{}</code></dd>", ((k, v) for k, v in rows))
        )

    # The records stay read-only; completing due ones is the daily task's service, run by those allowed to change
    # unenrollments (core.roles).
    @admin.action(
        description="Complete every due unenrollment now (as the daily task does)",
        permissions=["complete_unenrollments"],
    )
    def complete_due(self, request, queryset):
        count = services.unenrollment_complete_due()
        self.message_user(
            request,
            ngettext("%(n)d due unenrollment completed.", "%(n)d due unenrollments completed.", count) % {"n": count},
            messages.SUCCESS,
        )


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Crew visits booked by unenrollments: read-only for everyone."""

    list_display = ("id", "activity_type", "crew_id", "crew_shift_id", "start", "end", "work_availability_hours")
    list_filter = ("activity_type",)
    list_select_related = ("unenrollment",)
    search_fields = ("=crew_id", "=crew_shift_id", "=unenrollment__transaction_id")
    date_hierarchy = "start"
    raw_id_fields = ("unenrollment",)


@admin.register(Device)
class DeviceAdmin(ReferenceAdmin):
    list_display = ("serial_number", "asset_type", "asset_ownership", "status", "enrollment")
    list_filter = ("asset_ownership", "status", "asset_type")
    list_select_related = ("enrollment__program",)
    search_fields = ("=serial_number",)
    raw_id_fields = ("enrollment",)


@admin.register(DeviceReturn)
class DeviceReturnAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Devices shipped back after an unenrollment: recorded by the service, marked received by the action."""

    list_display = ("id", "device", "unenrollment", "status", "created_at", "received_at")
    list_filter = ("status",)
    list_select_related = ("device", "unenrollment")
    search_fields = ("=device__serial_number", "=unenrollment__transaction_id")
    raw_id_fields = ("device", "unenrollment")
    actions = ["mark_received"]

    @admin.action(description="Mark as received today", permissions=["receive_devices"])
    def mark_received(self, request, queryset):
        count = services.device_return_receive(returns=queryset)
        self.message_user(
            request,
            ngettext("%(n)d device return marked received.", "%(n)d device returns marked received.", count)
            % {"n": count},
            messages.SUCCESS,
        )
