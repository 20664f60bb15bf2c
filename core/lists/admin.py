"""The admin's Export buttons (``ExportMixin``, on a changelist) and the background export jobs with their progress
and download (``ExportJobAdmin``)."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from core import replicas, roles
from core.admin import RoleAdminMixin, requires
from core.errors import Invalid

from . import jobs, specs, writers
from .changelist_query import EXPORT_PARAM, changelist_filter_query
from .models import ExportJob

EXPORT_PERMISSION = roles.EXPORT_PERMISSION


class ExportMixin(RoleAdminMixin):
    """Adds Export CSV / XLSX buttons to a changelist; exports exactly what its filters and search show.

    The changelist's parameters are translated into the list's FilterSet query (``changelist_filter_query``) and
    the rows come from ``ListSpec.filtered``, the same path as the analyst API. The changelist's search box is the
    list's ``search`` too, so what the page shows and what the file holds cannot differ. Up to
    ``EXPORT_ASYNC_THRESHOLD`` rows stream at once; above, a background job (list key + FilterSet query) is
    created and the user is taken to its progress page. Needs the ``lists.export_data`` permission.
    """

    change_list_template = "admin/lists/export_change_list.html"
    # FilterSet parameters the changelist always applies, when its ``get_queryset`` narrows the list (bundles only).
    export_filters: dict[str, str] = {}

    def export_list(self) -> specs.ListSpec:
        spec = specs.spec_for_model(self.model)
        if spec is None:
            raise ImproperlyConfigured(f"{type(self).__name__}: no analyst list is declared for {self.model}.")
        return spec

    def get_urls(self):
        opts = self.model._meta
        urls = [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name=f"{opts.app_label}_{opts.model_name}_export",
            )
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["can_export"] = roles.allows(request.user, "export_data") and self.has_view_permission(request)
        return super().changelist_view(request, extra_context=extra_context)

    def get_search_results(self, request, queryset, search_term):
        """The list's own ``search`` (case-insensitive contains across the columns it shows)."""
        search = self.export_list().filterset_class.base_filters.get("search")
        term = (search_term or "").strip()
        if search is None or not term:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(search.condition(term)), False

    @requires("export_data", model="view")
    def export_view(self, request):
        fmt = request.GET.get(EXPORT_PARAM, "csv")
        if fmt not in ("csv", "xlsx"):
            raise Http404("Unknown export format.")
        spec = self.export_list()
        opts = self.model._meta
        try:
            query = changelist_filter_query(self, request, spec)
            queryset = replicas.reading(spec.filtered(query))  # counted and streamed from a replica, if any
        except Invalid as exc:
            self.message_user(request, f"Not exported: {exc.message}", messages.ERROR)
            params = request.GET.copy()
            params.pop(EXPORT_PARAM, None)
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            return redirect(f"{changelist}?{params.urlencode()}" if params else changelist)
        total = queryset.count()
        if total > settings.EXPORT_ASYNC_THRESHOLD:
            job = jobs.export_job_create(
                user=request.user, list_key=spec.key, query=query.urlencode(), fmt=fmt, rows_total=total
            )
            self.message_user(request, f"{total:,} rows: the export runs in the background.", messages.INFO)
            return redirect(reverse("admin:lists_exportjob_change", args=[job.pk]))
        return writers.streaming_response(queryset, list(spec.columns), fmt, f"{opts.app_label}-{opts.model_name}")


@admin.register(ExportJob)
class ExportJobAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "list_key", "fmt", "status", "progress", "download")
    list_filter = ("status", "fmt", "list_key")
    list_select_related = ("user",)
    readonly_fields = [f.name for f in ExportJob._meta.fields] + ["progress", "download"]
    change_form_template = "admin/lists/exportjob/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(EXPORT_PERMISSION) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    @admin.display(description="progress")
    def progress(self, obj):
        return f"{obj.percent}% ({obj.rows_done:,} / {obj.rows_total:,})"

    @admin.display(description="file")
    def download(self, obj):
        if obj.status != ExportJob.Status.DONE:
            return "-"
        return format_html('<a href="{}">download</a>', reverse("admin:lists_exportjob_download", args=[obj.pk]))

    def get_urls(self):
        own = [
            path(
                "<uuid:pk>/progress/", self.admin_site.admin_view(self.progress_view), name="lists_exportjob_progress"
            ),
            path(
                "<uuid:pk>/download/", self.admin_site.admin_view(self.download_view), name="lists_exportjob_download"
            ),
        ]
        return own + super().get_urls()

    def _job(self, request, pk) -> ExportJob:
        return get_object_or_404(self.get_queryset(request), pk=pk)

    @requires("export_data")
    def progress_view(self, request, pk):
        job = self._job(request, pk)
        download = (
            reverse("admin:lists_exportjob_download", args=[job.pk]) if job.status == ExportJob.Status.DONE else ""
        )
        return JsonResponse(
            {
                "status": job.status,
                "rows_done": job.rows_done,
                "rows_total": job.rows_total,
                "percent": job.percent,
                "download": download,
                "error": job.error,
            }
        )

    @requires("export_data")
    def download_view(self, request, pk):
        job = self._job(request, pk)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404("This export is not ready or has expired.")
        content_type = writers.FORMATS[job.fmt][0]
        filename = f"{job.app_label}-{job.model_name}.{job.fmt}"
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
