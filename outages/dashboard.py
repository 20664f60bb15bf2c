"""The outages panel of the admin's operations dashboard (``core.dashboard``): counts only, each linked to the
changelist filtered to the records it counts."""

from datetime import timedelta

from django.db.models import Count, Q

from core import dashboard

from .models import OutageCustomer, OutageEvent, OutageState

HOURS = 24


@dashboard.register("outages", "Outages", order=10)
def outages_panel(now):
    active = OutageEvent.objects.filter(state=OutageState.ACTIVE)
    missed = active.filter(estimated_restoration_time__lt=now)
    customers = OutageCustomer.objects.filter(event__state=OutageState.ACTIVE)
    return [
        dashboard.Figure("active outages", active.count(), OutageEvent, {"state__exact": OutageState.ACTIVE}),
        dashboard.Figure(
            "customers out now",
            customers.count(),
            OutageCustomer,
            {"event__state__exact": OutageState.ACTIVE},
            help="Customers (account / service point) of the active outages",
        ),
        dashboard.Figure(
            "ETRs missed",
            missed.count(),
            OutageEvent,
            {"state__exact": OutageState.ACTIVE, "estimated_restoration_time__lt": dashboard.iso(now)},
            help="Active outages whose estimated restoration time has passed",
            level="bad",
        ),
        dashboard.Chart(
            f"Outages in progress, hour by hour (last {HOURS} h, UTC)", _hourly(now), "outages", OutageEvent
        ),
    ]


def _hourly(now) -> list[tuple[str, int]]:
    """Outages in progress at each of the last 24 whole hours (and now), in ONE aggregate query: an outage is in
    progress at t when it started at or before t and was not completed by t (discarded ones never count)."""
    hour = now.replace(minute=0, second=0)
    instants = [hour - timedelta(hours=n) for n in range(HOURS - 1, 0, -1)] + [now]
    relevant = OutageEvent.objects.filter(discarded=False, start_date_time__lte=now).filter(
        Q(completion_date_time__isnull=True) | Q(completion_date_time__gt=instants[0])
    )
    counts = relevant.aggregate(
        **{
            f"h{n}": Count(
                "pk",
                filter=Q(start_date_time__lte=t)
                & (Q(completion_date_time__isnull=True) | Q(completion_date_time__gt=t)),
            )
            for n, t in enumerate(instants)
        }
    )
    labels = [t.strftime("%H:00") for t in instants[:-1]] + ["now"]
    return [(label, counts[f"h{n}"]) for n, label in enumerate(labels)]
