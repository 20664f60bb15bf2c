"""The background exports' panel of the admin's operations dashboard (``core.dashboard``)."""

from django.db.models import Count, Q

from core.dashboard import Figure, register

from .models import ExportJob


@register("exports", "Background exports", order=90)
def exports_panel(now):
    queued = [ExportJob.Status.PENDING, ExportJob.Status.RUNNING]
    counts = ExportJob.objects.aggregate(
        queued=Count("pk", filter=Q(status__in=queued)), failed=Count("pk", filter=Q(status=ExportJob.Status.FAILED))
    )
    return [
        Figure("exports running or queued", counts["queued"], ExportJob, {"status__in": ",".join(queued)}),
        Figure("exports failed", counts["failed"], ExportJob, {"status__exact": ExportJob.Status.FAILED}, level="bad"),
    ]
