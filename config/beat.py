"""Celery beat's schedule: the periodic work of the domain apps (``settings.CELERY_BEAT_SCHEDULE``; README "What
runs" lists it). Every task is idempotent, so a missed or doubled tick is harmless."""

import os

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    "blackouts-window-tick": {
        "task": "blackouts.tasks.window_tick",
        "schedule": float(os.environ.get("BLACKOUT_TICK_SECONDS", "15")),
    },
    "blackouts-event-partitions": {
        "task": "blackouts.tasks.event_partitions_maintain",
        "schedule": crontab(minute=29),  # hourly: creating ahead and dropping are no-ops most hours
    },
    "enrollments-complete-due-unenrollments": {
        "task": "enrollments.tasks.complete_due_unenrollments",
        "schedule": crontab(minute=5, hour="*"),  # hourly: "daily" work that catches up a missed day at once
    },
    "core-sweep-pending-exports": {
        "task": "core.tasks.sweep_pending_exports",
        "schedule": 60.0,
    },
    "core-purge-expired-exports": {
        "task": "core.tasks.purge_expired_exports",
        "schedule": crontab(minute=17),
    },
    "core-sweep-stalled-imports": {
        "task": "core.tasks.sweep_stalled_imports",
        "schedule": 60.0,
    },
    "core-purge-expired-imports": {
        "task": "core.tasks.purge_expired_imports",
        "schedule": crontab(minute=23),
    },
    "core-sweep-webhooks": {
        "task": "core.tasks.sweep_webhooks",
        "schedule": float(os.environ.get("WEBHOOKS_SWEEP_SECONDS", "30")),
    },
    "core-prune-changes": {
        "task": "core.tasks.prune_changes",
        "schedule": crontab(minute=41, hour=3),
    },
    "inventory-sweep-stalled-activations": {
        "task": "inventory.tasks.sweep_stalled_activations",
        "schedule": 60.0,
    },
}
