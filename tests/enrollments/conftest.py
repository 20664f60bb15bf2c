"""Fixtures of the enrollments tests: the real Celery worker of tests/worker.py."""

from tests.worker import celery_worker  # noqa: F401
