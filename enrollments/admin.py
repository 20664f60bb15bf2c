"""Admin for programs, CIS reference data, enrollments, unenrollments and appointments."""

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.admin import ExportMixin

from . import services
from .models import (
    Appointment,
    Customer,
    Device,
    DeviceReturn,
    Enrollment,
    Premise,
    Program,
    ServicePoint,
    Unenrollment,
    UnenrollReason,
)


def _link(obj, label=None):
    if obj is None:
        return "-"
    url = reverse(f"admin:enrollments_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("program_id", "name", "is_active", "enrollment_count")
    list_filter = ("is_active",)
    search_fields = ("program_id", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_enrollments=Count("enrollments"))

    @admin.display(description="enrollments", ordering="_enrollments")
    def enrollment_count(self, obj):
        return obj._enrollments


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "cis_account_id", "cis_person_id")
    search_fields = ("=cis_account_id", "=cis_person_id", "name")
    readonly_fields = ("name_key",)


class ServicePointInline(admin.TabularInline):
    model = ServicePoint
    extra = 0
    fields = ("cis_service_point_id", "service_type")
    show_change_link = True


@admin.register(Premise)
class PremiseAdmin(admin.ModelAdmin):
    list_display = ("cis_premise_id", "address1", "city", "state", "postal", "country", "division", "time_zone")
    list_filter = ("state", "country", "division")
    search_fields = ("=cis_premise_id", "address1", "city", "postal")
    readonly_fields = ("address_key",)
    inlines = [ServicePointInline]


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ("cis_service_point_id", "premise", "service_type")
    list_select_related = ("premise",)
    search_fields = ("=cis_service_point_id", "=premise__cis_premise_id", "premise__address1")
    raw_id_fields = ("premise",)


class DeviceInline(admin.TabularInline):
    model = Device
    extra = 0
    fields = ("serial_number", "asset_type", "asset_ownership", "status")


class UnenrollmentInline(admin.TabularInline):
    model = Unenrollment
    fk_name = "enrollment"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("transaction_id", "status", "reason", "end_date", "removal_method", "expanded_message", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(ExportMixin, admin.ModelAdmin):
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
    readonly_fields = ("transaction_id", "created_at", "updated_at")
    date_hierarchy = "start_date"
    inlines = [DeviceInline, UnenrollmentInline]
    actions = ["unenroll_today"]

    @admin.display(description="customer", ordering="customer__name")
    def customer_name(self, obj):
        return obj.customer.name

    @admin.display(description="account", ordering="customer__cis_account_id")
    def account(self, obj):
        return obj.customer.cis_account_id

    @admin.action(description="Unenroll today (customer opt-out, devices kept)", permissions=["change"])
    def unenroll_today(self, request, queryset):
        count = services.enrollment_unenroll_now(
            enrollments=queryset, reason=UnenrollReason.CUSTOMEROPTOUT, requested_by=request.user
        )
        self.message_user(request, f"{count} enrollment(s) unenrolled.", messages.SUCCESS)


class AppointmentInline(admin.StackedInline):
    model = Appointment
    extra = 0
    can_delete = False


class DeviceReturnInline(admin.TabularInline):
    model = DeviceReturn
    extra = 0
    raw_id_fields = ("device",)
    fields = ("device", "status", "received_at")


@admin.register(Unenrollment)
class UnenrollmentAdmin(ExportMixin, admin.ModelAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["transaction_id", "program_id", "status", "enrollment"]
        return fields

    @admin.display(description="enrollment")
    def enrollment_link(self, obj):
        return _link(obj.enrollment, f"enrollment {obj.enrollment_id}") if obj.enrollment_id else "-"

    @admin.display(description="exception")
    def message(self, obj):
        if not obj.message_number:
            return "-"
        return f"{obj.message_category}/{obj.message_number}: {obj.expanded_message}"

    @admin.display(description="request body")
    def request(self, obj):
        rows = sorted((obj.request_body or {}).items())
        return format_html(
            "<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd><code>{}</code></dd>", ((k, v) for k, v in rows))
        )

    @admin.action(description="Complete every due unenrollment now (as the daily task does)", permissions=["change"])
    def complete_due(self, request, queryset):
        count = services.unenrollment_complete_due()
        self.message_user(request, f"{count} due unenrollment(s) completed.", messages.SUCCESS)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("id", "activity_type", "crew_id", "crew_shift_id", "start", "end", "work_availability_hours")
    list_filter = ("activity_type",)
    list_select_related = ("unenrollment",)
    search_fields = ("=crew_id", "=crew_shift_id", "=unenrollment__transaction_id")
    date_hierarchy = "start"
    raw_id_fields = ("unenrollment",)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("serial_number", "asset_type", "asset_ownership", "status", "enrollment")
    list_filter = ("asset_ownership", "status", "asset_type")
    list_select_related = ("enrollment__program",)
    search_fields = ("=serial_number",)
    raw_id_fields = ("enrollment",)


@admin.register(DeviceReturn)
class DeviceReturnAdmin(admin.ModelAdmin):
    list_display = ("id", "device", "unenrollment", "status", "created_at", "received_at")
    list_filter = ("status",)
    list_select_related = ("device", "unenrollment")
    search_fields = ("=device__serial_number", "=unenrollment__transaction_id")
    raw_id_fields = ("device", "unenrollment")
