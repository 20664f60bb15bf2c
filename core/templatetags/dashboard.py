"""``{% operations_dashboard %}``: the panels of ``core.dashboard`` for the admin index (templates/admin/index.html)."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from core import dashboard

register = template.Library()


@register.inclusion_tag("admin/dashboard.html", takes_context=True)
def operations_dashboard(context):
    request = context["request"]
    now = timezone.now().replace(microsecond=0)
    panels = dashboard.panels_for(request.user, now=now)
    for panel in panels:
        for chart in panel.charts:
            # Built from numbers and escaped labels only (core/charts.py escapes every text it writes).
            chart.rendered = mark_safe(chart.svg)  # noqa: S308
    return {"panels": panels, "now": now}
