"""The outages panel of the admin's operations dashboard (``core.dashboard``): counts only, each linked to the
changelist filtered to the records it counts."""

from datetime import timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncHour

from core import dashboard

from .models import OutageCustomer, OutageEvent, OutageState

HOURS = 24


@dashboard.register("outages", "Outages", order=10)
def outages_panel(now):
    hour = now.replace(minute=0, second=0)
    instants = [hour - timedelta(hours=n) for n in range(HOURS - 2, -1, -1)] + [now]
    active = OutageEvent.objects.filter(state=OutageState.ACTIVE).aggregate(
        total=Count("pk"),
        missed=Count("pk", filter=Q(estimated_restoration_time__lt=now)),
        before_chart=Count("pk", filter=Q(start_date_time__lt=instants[0])),
        # Each event keeps the size of its customer list (customer_count, written with the list): a sum over the
        # active outages, not a count over their customers.
        customers=Coalesce(Sum("customer_count"), 0),
    )
    customers = active["customers"]
    return [
        dashboard.Figure("active outages", active["total"], OutageEvent, {"state__exact": OutageState.ACTIVE}),
        dashboard.Figure(
            "customers out now",
            customers,
            OutageCustomer,
            {"event__state__exact": OutageState.ACTIVE},
            help="Customers (account / service point) of the active outages",
        ),
        dashboard.Figure(
            "ETRs missed",
            active["missed"],
            OutageEvent,
            {"state__exact": OutageState.ACTIVE, "estimated_restoration_time__lt": dashboard.iso(now)},
            help="Active outages whose estimated restoration time has passed",
            level="bad",
        ),
        dashboard.Link(
            "Reliability indices (IEEE 1366) →", "admin:outages_outageevent_reliability", "outages.view_outageevent"
        ),
        dashboard.Chart(
            f"Outages in progress, hour by hour (last {HOURS} h, UTC)",
            _hourly(now, instants, active["before_chart"]),
            "outages",
            OutageEvent,
        ),
    ]


def _hourly(now, instants: list, active_before: int) -> list[tuple[str, int]]:
    """Outages in progress at each of the last 23 whole hours and now. At an instant T an outage is in progress
    when it started before T and was not completed before T (discarded ones never count, nor a completion that
    does not follow the start).

    Aggregate queries whatever the table's size: the outages in progress at the first instant (the active ones
    that started before it, counted by the caller, and the restored ones completed since), then the starts and
    the completions since then counted per hour (GROUP BY); the 24 values are their running sum.
    """
    first = instants[0]
    spans = Q(state=OutageState.ACTIVE) | Q(state=OutageState.RESTORED, completion_date_time__gt=F("start_date_time"))
    base = active_before + (
        OutageEvent.objects.filter(state=OutageState.RESTORED, completion_date_time__gte=first)
        .filter(start_date_time__lt=first, completion_date_time__gt=F("start_date_time"))
        .count()
    )
    starts = _per_hour(
        OutageEvent.objects.filter(spans, start_date_time__gte=first, start_date_time__lt=now), "start_date_time"
    )
    ends = _per_hour(
        OutageEvent.objects.filter(
            state=OutageState.RESTORED, completion_date_time__gte=first, completion_date_time__lt=now
        ).filter(completion_date_time__gt=F("start_date_time")),
        "completion_date_time",
    )
    values, running = [base], base
    for previous in instants[:-1]:  # the changes in [previous, next instant)
        running += starts.get(previous, 0) - ends.get(previous, 0)
        values.append(running)
    labels = [t.strftime("%H:00") for t in instants[:-1]] + ["now"]
    return list(zip(labels, values, strict=True))


def _per_hour(queryset, field: str) -> dict:
    rows = queryset.annotate(hour=TruncHour(field)).values("hour").annotate(n=Count("pk")).values_list("hour", "n")
    return dict(rows)
