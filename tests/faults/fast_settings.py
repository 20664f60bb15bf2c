"""Settings of the processes the fault tests start (web, workers, beats): the production settings with the beat's
periodic work every second and the sweeps' waits in seconds, so a test sees in seconds what production does in
minutes. Every process of one test routes its tasks to that test's own queues (``FAULT_QUEUE`` and its classes')."""

import os

from config.queues import declared_queues
from config.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("FAULT_QUEUE", "celery")
CELERY_QUEUE_PREFIX = f"{CELERY_TASK_DEFAULT_QUEUE}."  # and each queue class's queue (config/queues.py)
CELERY_TASK_QUEUES = declared_queues(prefix=CELERY_QUEUE_PREFIX, default=CELERY_TASK_DEFAULT_QUEUE)
CELERY_BEAT_SCHEDULE = {  # the same tasks as production's schedule, every second
    name: {**entry, "schedule": 1.0}
    for name, entry in CELERY_BEAT_SCHEDULE.items()  # noqa: F405
}
INVENTORY_SWEEP_STALL_SECONDS = 3
EXPORT_SWEEP_STALL_SECONDS = 3
INVENTORY_STEP_DELAY_SECONDS = float(os.environ.get("FAULT_STEP_DELAY", "0"))
# The test process hashes its users' passwords with MD5 (config/settings.py, under pytest): verify those here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
