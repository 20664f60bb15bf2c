"""Fixtures of the enrollments tests: the real Celery worker of tests/worker.py."""

from tests.worker import celery_worker  # noqa: F401


def unenroll_arguments(document: dict) -> dict:
    """An unenroll document as ``unenrollment_request`` takes it: validated and translated by the wire door."""
    from enrollments.api.serializers import DAUnenrollRequestSerializer

    serializer = DAUnenrollRequestSerializer(data=document)
    serializer.is_valid(raise_exception=True)
    return serializer.service_arguments()


def enroll_arguments(document: dict) -> dict:
    """An enroll document as ``enrollment_request`` takes it: validated and translated by the wire door."""
    from enrollments.api.serializers import DAEnrollRequestSerializer

    serializer = DAEnrollRequestSerializer(data=document)
    serializer.is_valid(raise_exception=True)
    return serializer.service_arguments()
