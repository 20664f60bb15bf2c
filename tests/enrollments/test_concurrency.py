"""Two requests at once on PostgreSQL: the same transactionId gives one unenrollment; two different
transactions cannot both end the same enrollment (the row is locked while it is resolved)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from enrollments import services
from enrollments.api.serializers import DAUnenrollRequestSerializer
from enrollments.models import Enrollment, EnrollmentStatus, Unenrollment, UnenrollmentStatus
from tests.factories.enrollments import jane_doe_enrollment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _data(transaction_id: str) -> dict:
    serializer = DAUnenrollRequestSerializer(
        data={
            "transactionId": transaction_id,
            "customerInfo": {"cisAccountId": "1589809012"},
            "locationInfo": {"cisServicePointID": "2486945183"},
            "programInfo": {"programId": "DEMO-BYOT", "endDate": str(timezone.localdate() + timedelta(days=9))},
            "assetInfo": {"removalMethod": "X1KP"},
        }
    )
    serializer.is_valid(raise_exception=True)
    return serializer.service_arguments()


def _race(transaction_ids: list[str]) -> list:
    barrier = threading.Barrier(len(transaction_ids))
    results, errors = [], []

    def run(transaction_id):
        try:
            barrier.wait()
            results.append(services.unenrollment_request(**_data(transaction_id)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in transaction_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return results


def test_same_transaction_id_at_once_makes_one_unenrollment():
    jane_doe_enrollment()
    results = _race(["RACE-1"] * 4)
    assert len(results) == 4 and len({record.pk for record in results}) == 1
    assert Unenrollment.objects.count() == 1


def test_two_transactions_cannot_both_unenroll_one_enrollment():
    jane = jane_doe_enrollment()
    _race(["RACE-A", "RACE-B", "RACE-C"])
    statuses = sorted(Unenrollment.objects.values_list("status", "error_code"))
    losers = (
        [("ERROR", "enrollments.no_active_enrollment")] * 2,
        [("ERROR", "enrollments.already_pending_unenroll")] * 2,
    )
    assert statuses in [[*lost, (UnenrollmentStatus.PENDING, "")] for lost in losers], statuses
    assert Enrollment.objects.get(pk=jane.pk).status == EnrollmentStatus.PENDING_UNENROLL
