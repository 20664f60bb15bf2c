"""The enrollments panel of the admin's operations dashboard (``core.dashboard``)."""

from django.db.models import Count, Q

from core import dashboard

from .models import Unenrollment, UnenrollmentStatus


@dashboard.register("enrollments", "Enrollments", order=20)
def enrollments_panel(now):
    counts = Unenrollment.objects.aggregate(
        pending=Count("pk", filter=Q(status=UnenrollmentStatus.PENDING)),
        error=Count("pk", filter=Q(status=UnenrollmentStatus.ERROR)),
    )
    return [
        dashboard.Figure(
            "unenrollments pending",
            counts["pending"],
            Unenrollment,
            {"status__exact": UnenrollmentStatus.PENDING},
            help="Scheduled: their end date is still ahead",
        ),
        dashboard.Figure(
            "unenrollments in error",
            counts["error"],
            Unenrollment,
            {"status__exact": UnenrollmentStatus.ERROR},
            level="warn",
        ),
    ]
