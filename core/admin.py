"""Shared admin pieces: writes through the services (``ServiceAdminMixin``), read-only log records
(``ReadOnlyAdminMixin``), the Export button (``ExportMixin``) and the background export jobs with their progress."""

from datetime import datetime, timedelta

import django_filters
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied
from django.db import models
from django.http import FileResponse, Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import exports, services
from .errors import DomainError, Invalid
from .filters import OrderingFilter, SearchFilter
from .models import ExportJob

EXPORT_PERMISSION = "core.export_data"
EXPORT_PARAM = "_export"


def add_domain_error(form, exc: DomainError) -> None:
    """Show a domain error on a form: on the named field when the form has it, else above the form."""
    pairs = exc.errors or [("", exc.message)]
    for field_path, text in pairs:
        name = (field_path or "").split(".")[0].split("[")[0]
        if name in form.fields:
            form.add_error(name, text)
        else:
            form.add_error(None, f"{field_path}: {text}" if field_path else text)


class ServiceAdminMixin:
    """Admin writes go through the domain services, never ``obj.save()``.

    A subclass implements ``service_save(request=, obj=, form=, change=)`` (returns the saved object) and may
    implement ``service_validate(request=, form=, change=)`` (raises a :class:`~core.errors.DomainError` that
    becomes a form error before anything is written) and ``service_delete(request=, obj=)``.
    A domain error raised while saving (a race the validation could not foresee) rolls the change back and is
    shown on the page.
    """

    def service_save(self, *, request, obj, form, change):  # pragma: no cover - abstract
        raise NotImplementedError

    def service_validate(self, *, request, form, change) -> None:
        return None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                try:
                    model_admin.service_validate(request=request, form=self, change=change)
                except DomainError as exc:
                    add_domain_error(self, exc)

        ServiceForm.__name__ = form_class.__name__
        return ServiceForm

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request=request, obj=obj, form=form, change=change)
        if saved is not None and saved is not obj:
            # Let the admin's redirect and messages name the object the service saved.
            obj.pk = saved.pk
            form.instance = saved

    def delete_model(self, request, obj):
        deleter = getattr(self, "service_delete", None)
        if deleter is None:
            return super().delete_model(request, obj)
        return deleter(request=request, obj=obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:  # raised inside the admin's atomic block: nothing was written
            self.message_user(request, f"Not saved: {exc.message}", messages.ERROR)
            return redirect(request.get_full_path())


class ReadOnlyAdminMixin:
    """Log-like records (message logs, status histories, transitions): visible, never added, changed or deleted
    through the admin, by anyone."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Admin changelist parameters that are about the page, not about which rows: never part of an export's query.
PAGE_PARAMS = {"p", "all", "e", "_facets", "_popup", "_to_field", "_changelist_filters", EXPORT_PARAM}
SEARCH_PARAM = "q"
ORDER_PARAM = "o"
ADMIN_LOOKUPS = {"exact", "iexact", "gte", "gt", "lte", "lt", "isnull", "in", "contains", "icontains"}
HIERARCHY_PARTS = ("year", "month", "day")
TRUE_VALUES = {"1", "true", "True", "yes"}
FALSE_VALUES = {"0", "false", "False", "no"}


def _normal_path(model, path: str) -> str:
    """A lookup path with relation spellings unified: ``program__id``, ``program_id`` and ``program`` are one."""
    out: list[str] = []
    current = model
    after_relation = False
    for part in path.split("__"):
        if current is None:
            out.append(part)
            continue
        if after_relation and part in ("pk", current._meta.pk.name):
            after_relation = False
            continue
        try:
            found = current._meta.get_field(part)
        except FieldDoesNotExist:
            found = next((f for f in current._meta.concrete_fields if f.attname == part), None)
        if found is None:
            out.append(part)
            current = None
            continue
        out.append(found.name)
        after_relation = bool(found.is_relation and found.related_model is not None)
        current = found.related_model if after_relation else None
    return "__".join(out)


def _filter_index(spec: exports.ListSpec) -> dict[tuple[str, str], str]:
    """``(normalised field path, lookup) -> filter name`` for the list's plain (field-based) filters."""
    index: dict[tuple[str, str], str] = {}
    for name, f in spec.filterset_class.base_filters.items():
        if f.method is not None or isinstance(f, SearchFilter | OrderingFilter) or not f.field_name:
            continue
        index.setdefault((_normal_path(spec.model, f.field_name), f.lookup_expr), name)
    return index


def changelist_filter_query(model_admin, request, spec: exports.ListSpec) -> QueryDict:
    """Translate an admin changelist's parameters into the list's FilterSet query.

    A list filter's ``<field>__<lookup>=v`` becomes the list filter on the same field and lookup (``status__exact``
    → ``status``, ``program__id__exact`` → ``program_pk``, ``received_at__gte`` → ``received_after``), the date
    hierarchy becomes a ``gte``/``lt`` range, ``q`` becomes ``search`` and ``o`` becomes ``ordering`` where the list
    offers that ordering. A parameter the list cannot express raises :class:`Invalid` naming it: an export never
    silently widens what the changelist showed.
    """
    index = _filter_index(spec)
    query = QueryDict(mutable=True)
    query.update(getattr(model_admin, "export_filters", {}))
    unknown: list[str] = []
    hierarchy: dict[str, dict[str, int]] = {}
    for param, values in request.GET.lists():
        if param in PAGE_PARAMS:
            continue
        if param == SEARCH_PARAM:
            if any(v.strip() for v in values):
                query.setlist("search", values)
            continue
        if param == ORDER_PARAM:
            ordering = _ordering(model_admin, request, spec, values[-1])
            if ordering:
                query["ordering"] = ordering
            continue
        path, _, lookup = param.rpartition("__")
        if lookup in HIERARCHY_PARTS and path == getattr(model_admin, "date_hierarchy", None):
            try:
                hierarchy.setdefault(path, {})[lookup] = int(values[-1])
            except ValueError:
                unknown.append(param)
            continue
        if lookup not in ADMIN_LOOKUPS:
            path, lookup = param, "exact"
        name = index.get((_normal_path(spec.model, path), lookup))
        if name is None:
            unknown.append(param)
            continue
        query.setlist(name, [_value_for(spec.filterset_class.base_filters[name], v) for v in values])
    for path, parts in hierarchy.items():
        bounds = _hierarchy_bounds(spec, index, path, parts)
        if bounds is None:
            unknown.append(f"{path}__year")
            continue
        for name, value in bounds:
            query[name] = value
    if unknown:
        raise Invalid(
            f"The list {spec.key} has no filter for: {', '.join(unknown)}.", code="analyst.untranslatable_filter"
        )
    return query


def _value_for(list_filter, value: str) -> str:
    if isinstance(list_filter, django_filters.BooleanFilter):
        if value in TRUE_VALUES:
            return "true"
        if value in FALSE_VALUES:
            return "false"
    return value


def _hierarchy_bounds(spec, index, path: str, parts: dict[str, int]):
    """The list filters (and values) that select a date hierarchy's year / month / day."""
    span = _hierarchy_range(parts)
    if span is None:
        return None
    key = _normal_path(spec.model, path)
    since = index.get((key, "gte"))
    if isinstance(exports.final_field(spec.model, path), models.DateTimeField):
        until = index.get((key, "lt"))
        return [(since, span[0].isoformat()), (until, span[1].isoformat())] if since and until else None
    start, end = span[0].date(), span[1].date()
    if until := index.get((key, "lt")):
        return [(since, start.isoformat()), (until, end.isoformat())] if since else None
    until = index.get((key, "lte"))
    last = end - timedelta(days=1)
    return [(since, start.isoformat()), (until, last.isoformat())] if since and until else None


def _hierarchy_range(parts: dict[str, int]):
    """The [start, end) of a date hierarchy's year / month / day, in the current time zone (as the admin's)."""
    try:
        start = datetime(parts["year"], parts.get("month", 1), parts.get("day", 1))
        if "day" in parts:
            end = start + timedelta(days=1)
        elif "month" in parts:
            end = (start + timedelta(days=32)).replace(day=1)
        else:
            end = start.replace(year=start.year + 1)
    except (KeyError, ValueError, OverflowError):
        return None
    return timezone.make_aware(start), timezone.make_aware(end)


def _ordering(model_admin, request, spec: exports.ListSpec, value: str) -> str:
    """The list's ``ordering`` for the admin's ``o=2.-1`` (indices into the columns shown), or "" when a column
    is not one the list orders by (the export then keeps the list's default order)."""
    list_display = list(model_admin.get_list_display(request))
    if model_admin.get_actions(request):
        list_display = ["action_checkbox", *list_display]
    ordering_filter = spec.filterset_class.base_filters.get("ordering")
    by_field = {field: name for name, field in getattr(ordering_filter, "param_map", {}).items()}
    out = []
    for part in value.split("."):
        _, sign, index = part.rpartition("-")
        try:
            shown = list_display[int(index)]
        except (ValueError, IndexError):
            return ""
        field = _admin_order_field(model_admin, shown)
        if not isinstance(field, str):
            return ""
        if field.startswith("-"):
            field, sign = field[1:], ("" if sign else "-")
        name = by_field.get(field) or by_field.get(_normal_path(spec.model, field))
        if name is None:
            return ""
        out.append(sign + name)
    return ",".join(out)


def _admin_order_field(model_admin, shown):
    if not isinstance(shown, str):
        return getattr(shown, "admin_order_field", None)
    try:
        return model_admin.model._meta.get_field(shown).name
    except FieldDoesNotExist:
        attr = getattr(model_admin, shown, None) or getattr(model_admin.model, shown, None)
        if isinstance(attr, property):
            attr = attr.fget
        return getattr(attr, "admin_order_field", None)


class ExportMixin:
    """Adds Export CSV / XLSX buttons to a changelist; exports exactly what its filters and search show.

    The changelist's parameters are translated into the list's FilterSet query (``changelist_filter_query``) and
    the rows come from ``ListSpec.filtered``, the same path as the analyst API. The changelist's search box is the
    list's ``search`` too, so what the page shows and what the file holds cannot differ. Up to
    ``EXPORT_ASYNC_THRESHOLD`` rows stream at once; above, a background job (list key + FilterSet query) is
    created and the user is taken to its progress page. Needs the ``core.export_data`` permission.
    """

    change_list_template = "admin/core/export_change_list.html"
    # FilterSet parameters the changelist always applies, when its ``get_queryset`` narrows the list (bundles only).
    export_filters: dict[str, str] = {}

    def export_list(self) -> exports.ListSpec:
        spec = exports.spec_for_model(self.model)
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
        extra_context["can_export"] = request.user.has_perm(EXPORT_PERMISSION)
        return super().changelist_view(request, extra_context=extra_context)

    def get_search_results(self, request, queryset, search_term):
        """The list's own ``search`` (case-insensitive contains across the columns it shows)."""
        search = self.export_list().filterset_class.base_filters.get("search")
        term = (search_term or "").strip()
        if search is None or not term:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(search.condition(term)), False

    def export_view(self, request):
        if not (request.user.has_perm(EXPORT_PERMISSION) and self.has_view_permission(request)):
            raise PermissionDenied
        fmt = request.GET.get(EXPORT_PARAM, "csv")
        if fmt not in ("csv", "xlsx"):
            raise Http404("Unknown export format.")
        spec = self.export_list()
        opts = self.model._meta
        try:
            query = changelist_filter_query(self, request, spec)
            queryset = spec.filtered(query)
        except Invalid as exc:
            self.message_user(request, f"Not exported: {exc.message}", messages.ERROR)
            params = request.GET.copy()
            params.pop(EXPORT_PARAM, None)
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            return redirect(f"{changelist}?{params.urlencode()}" if params else changelist)
        total = queryset.count()
        if total > settings.EXPORT_ASYNC_THRESHOLD:
            job = services.export_job_create(
                user=request.user, list_key=spec.key, query=query.urlencode(), fmt=fmt, rows_total=total
            )
            self.message_user(request, f"{total:,} rows: the export runs in the background.", messages.INFO)
            return redirect(reverse("admin:core_exportjob_change", args=[job.pk]))
        return exports.streaming_response(queryset, list(spec.columns), fmt, f"{opts.app_label}-{opts.model_name}")


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "list_key", "fmt", "status", "progress", "download")
    list_filter = ("status", "fmt", "list_key")
    list_select_related = ("user",)
    readonly_fields = [f.name for f in ExportJob._meta.fields] + ["progress", "download"]
    change_form_template = "admin/core/exportjob/change_form.html"

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
        return format_html('<a href="{}">download</a>', reverse("admin:core_exportjob_download", args=[obj.pk]))

    def get_urls(self):
        own = [
            path("<uuid:pk>/progress/", self.admin_site.admin_view(self.progress_view), name="core_exportjob_progress"),
            path("<uuid:pk>/download/", self.admin_site.admin_view(self.download_view), name="core_exportjob_download"),
        ]
        return own + super().get_urls()

    def _job(self, request, pk) -> ExportJob:
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def progress_view(self, request, pk):
        job = self._job(request, pk)
        download = (
            reverse("admin:core_exportjob_download", args=[job.pk]) if job.status == ExportJob.Status.DONE else ""
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

    def download_view(self, request, pk):
        job = self._job(request, pk)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404("This export is not ready or has expired.")
        content_type = exports.FORMATS[job.fmt][0]
        filename = f"{job.app_label}-{job.model_name}.{job.fmt}"
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
