"""The admin's Import button (``ImportExportMixin``): upload a file at ``<changelist>/import/``, read its dry-run
report (counts and every refused row with its line, column and reason), confirm, read the result.

Small files run in the request (once its transaction commits); above ``IMPORT_ASYNC_THRESHOLD`` bytes the dry run
and the import run as Celery jobs and the page shows a progress bar. Needs the ``imports.import_data`` permission
(the ``operator`` group) and the model's change permission. Every row is judged by the model's field rules and its
import spec's ``clean`` (``<app>/imports.py``) and written by the spec's ``write``: the services themselves for
blackout policies, a set-based upsert for reference data, which records one change per row written as the
service would (``writes.record_written``). The engine is ``engine.py``; the jobs are ``jobs.py``.
"""

import csv
import io
from datetime import UTC, timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core import roles
from core.admin import ReadOnlyAdminMixin, requires
from core.errors import DomainError
from core.lists.admin import ExportMixin

from . import jobs, readers, specs
from .models import ImportJob
from .report import Report

IMPORT_PERMISSION = roles.IMPORT_PERMISSION


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8), XLSX, JSON (an array of objects) or JSON Lines.")
    fmt = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "From the file name")] + [(f, f.upper()) for f in readers.FORMATS],
    )
    apply_valid = forms.BooleanField(
        label="Apply the valid rows even if some are refused",
        required=False,
        help_text="Unticked (the default), one refused row means nothing is written.",
    )


class ImportExportMixin(ExportMixin):
    """Export buttons (``ExportMixin``) plus the Import button, for a model with an import spec."""

    change_list_template = "admin/imports/import_change_list.html"

    def import_spec(self) -> specs.ImportSpec:
        spec = specs.spec_for_model(self.model)
        if spec is None:
            raise LookupError(f"{self.model._meta.label} has no import spec (<app>/imports.py)")
        return spec

    def has_import_permission(self, request) -> bool:
        return roles.allows(request.user, "import_data") and self.has_change_permission(request)

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        urls = [
            path("import/", view(self.import_view), name=f"{name}_import"),
            path("import/<uuid:pk>/", view(self.import_job_view), name=f"{name}_import_job"),
            path("import/<uuid:pk>/progress/", view(self.import_progress_view), name=f"{name}_import_progress"),
            path("import/<uuid:pk>/report.csv", view(self.import_report_view), name=f"{name}_import_report"),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["can_import"] = self.has_import_permission(request)
        return super().changelist_view(request, extra_context=extra_context)

    def _job(self, request, pk) -> ImportJob:
        jobs_of = ImportJob.objects.filter(model_label=self.model._meta.label)
        if not request.user.is_superuser:
            jobs_of = jobs_of.filter(user=request.user)
        return get_object_or_404(jobs_of, pk=pk)

    def _context(self, request, **extra):
        spec = self.import_spec()
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import {self.model._meta.verbose_name_plural}",
            "spec": spec,
            "columns": spec.column_names(),
            "written": spec.written_columns(),
            "key_columns": [c for c in spec.written_columns() if c in spec.natural_key] or list(spec.natural_key),
            "threshold": settings.IMPORT_ASYNC_THRESHOLD,
            "retention_days": settings.IMPORT_UPLOAD_RETENTION_DAYS,
            **extra,
        }

    @requires("import_data", model="change")
    def import_view(self, request):
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = jobs.import_job_create(
                    user=request.user,
                    model_label=self.model._meta.label,
                    upload=form.cleaned_data["file"],
                    fmt=form.cleaned_data["fmt"],
                    apply_valid=form.cleaned_data["apply_valid"],
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect(self._job_url(job))
        return TemplateResponse(request, "admin/imports/import_form.html", self._context(request, form=form))

    def _job_url(self, job) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_import_job", args=[job.pk])

    @requires("import_data", model="change")
    def import_job_view(self, request, pk):
        job = self._job(request, pk)
        if request.method == "POST":
            try:
                job = jobs.import_job_confirm(job_id=job.pk)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            return redirect(self._job_url(job))
        dry_run = Report.from_dict(job.dry_run_report) if job.dry_run_report else None
        result = Report.from_dict(job.report) if job.report else None
        confirmable = (
            job.expired_at is None
            and job.stage == ImportJob.Stage.DRY_RUN
            and job.status == ImportJob.Status.DONE
            and dry_run is not None
            and not dry_run.file_error
            and (not dry_run.refused or job.apply_valid)
        )
        context = self._context(
            request,
            job=job,
            dry_run=dry_run,
            result=result,
            shown=result or dry_run,
            confirmable=confirmable,
            progress=jobs.import_job_progress(job=job),
            running=job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING),
            poll_ms=max(100, int(settings.IMPORT_PROGRESS_POLL_SECONDS * 1000)),
        )
        return TemplateResponse(request, "admin/imports/import_job.html", context)

    @requires("import_data", model="change")
    def import_progress_view(self, request, pk):
        job = self._job(request, pk)
        return JsonResponse(
            {"status": job.status, "stage": job.stage, "error": job.error, **jobs.import_job_progress(job=job)}
        )

    @requires("import_data", model="change")
    def import_report_view(self, request, pk):
        """The report as CSV: a summary line, then one row per listed refused row (line, column, reason): the first
        ``MAX_LISTED`` of them (the summary counts them all), none once the file has expired."""
        job = self._job(request, pk)
        data = job.report or job.dry_run_report
        if not data:
            raise PermissionDenied("No report yet.")
        report = Report.from_dict(data)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["line", "column", "reason"])
        writer.writerow(["", "", report.summary()])
        for refusal in report.refusals:
            writer.writerow([refusal.line or "", refusal.column, refusal.reason])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
        return response


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Import jobs, read-only for everyone (superusers too: a deleted job would leave its file, which only the
    retention purge deletes): what was uploaded, by whom, and its reports."""

    list_display = ("created_at", "user", "model_label", "filename", "stage", "status", "summary", "uploaded_file")
    list_filter = ("stage", "status", "model_label")
    list_select_related = ("user",)
    # ``file`` is left out (media is not served: its link would be a broken one); ``uploaded_file`` says instead
    # until when the file is kept, or when it was deleted.
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name != "file"] + ["uploaded_file"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    @admin.display(description="result")
    def summary(self, obj):
        data = obj.report or obj.dry_run_report
        return Report.from_dict(data).summary() if data else "-"

    @admin.display(description="uploaded file")
    def uploaded_file(self, obj):
        if obj.expired_at:
            return f"expired: deleted on {obj.expired_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        days = settings.IMPORT_UPLOAD_RETENTION_DAYS
        if not days or obj.finished_at is None or obj.status not in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            return "kept"
        return f"kept until {(obj.finished_at + timedelta(days=days)).astimezone(UTC):%Y-%m-%d %H:%M} UTC"
