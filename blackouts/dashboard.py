"""The blackouts panel of the admin's operations dashboard (``core.dashboard``).

Windows come from each policy's schedule cache (``window_start``/``window_end``: its current or next window, kept
by saves and the window tick), so the figures are indexed counts, never a window computation per policy.
"""

from datetime import timedelta

from django.db.models import Count, Q

from core import dashboard

from .models import BlackoutPolicy, Event, EventStatus

AHEAD = timedelta(hours=24)


@dashboard.register("blackouts", "Blackouts", order=30)
def blackouts_panel(now):
    windows = BlackoutPolicy.objects.filter(enabled=True).aggregate(
        open_now=Count("pk", filter=Q(window_start__lte=now, window_end__gt=now)),
        opening=Count("pk", filter=Q(window_start__gt=now, window_start__lte=now + AHEAD)),
    )
    return [
        dashboard.Figure(
            "windows open now",
            windows["open_now"],
            BlackoutPolicy,
            {"enabled__exact": "1", "window_start__lte": dashboard.iso(now), "window_end__gt": dashboard.iso(now)},
            help="Enabled policies whose blackout window is open now",
        ),
        dashboard.Figure(
            "opening in 24 h",
            windows["opening"],
            BlackoutPolicy,
            {
                "enabled__exact": "1",
                "window_start__gt": dashboard.iso(now),
                "window_start__lte": dashboard.iso(now + AHEAD),
            },
            help="Enabled policies whose next window opens in the next 24 hours",
        ),
        dashboard.Figure(
            "events blacked out now",
            Event.objects.filter(status=EventStatus.BLACKOUT).count(),
            Event,
            {"status__exact": EventStatus.BLACKOUT},
        ),
    ]
