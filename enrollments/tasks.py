"""Celery tasks of the enrollments app: thin wrappers around services, idempotent."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def complete_due_unenrollments() -> int:
    """Beat (hourly): complete every pending unenrollment whose end date has come, catching up missed days."""
    completed = services.unenrollment_complete_due()
    if completed:
        logger.info("completed %d due unenrollments", completed)
    return completed
