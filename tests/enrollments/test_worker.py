"""The Celery path for real: the beat task, published on Redis, completes due unenrollments in a worker."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from enrollments.models import Enrollment, EnrollmentStatus, Unenrollment, UnenrollmentStatus
from tests.factories.enrollments import jane_doe_enrollment
from tests.worker import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_completes_due_unenrollments_and_a_second_run_changes_nothing(celery_worker):
    from enrollments.tasks import complete_due_unenrollments

    today = timezone.localdate()
    jane = jane_doe_enrollment()
    # due since yesterday (a missed day), and one still in the future
    Enrollment.objects.filter(pk=jane.pk).update(
        status=EnrollmentStatus.PENDING_UNENROLL, end_date=today - timedelta(days=1)
    )
    due = Unenrollment.objects.create(
        request_hash="x",
        status=UnenrollmentStatus.PENDING,
        enrollment=jane,
        program_id="DEMO-BYOT",
        end_date=today - timedelta(days=1),
    )
    later = Unenrollment.objects.create(
        request_hash="y", status=UnenrollmentStatus.PENDING, program_id="DEMO-BYOT", end_date=today + timedelta(days=1)
    )

    complete_due_unenrollments.delay()
    wait_for(
        lambda: Unenrollment.objects.filter(pk=due.pk, status=UnenrollmentStatus.COMPLETED).exists(),
        message="the worker to complete the due unenrollment",
    )
    jane.refresh_from_db()
    assert jane.status == EnrollmentStatus.UNENROLLED
    completed_at = Unenrollment.objects.get(pk=due.pk).completed_at

    complete_due_unenrollments.delay()
    log = Path(celery_worker.log_path)
    wait_for(lambda: log.read_text(errors="replace").count("succeeded in") >= 2, message="the second run")
    assert Unenrollment.objects.get(pk=due.pk).completed_at == completed_at
    assert Unenrollment.objects.get(pk=later.pk).status == UnenrollmentStatus.PENDING
