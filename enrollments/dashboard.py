"""The enrollments panel of the admin's operations dashboard (``core.dashboard``)."""

from core import dashboard

from .models import Unenrollment, UnenrollmentStatus


@dashboard.register("enrollments", "Enrollments", order=20)
def enrollments_panel(now):
    return [
        dashboard.Figure(
            "unenrollments pending",
            Unenrollment.objects.filter(status=UnenrollmentStatus.PENDING).count(),
            Unenrollment,
            {"status__exact": UnenrollmentStatus.PENDING},
            help="Scheduled: their end date is still ahead",
        ),
        dashboard.Figure(
            "unenrollments in error",
            Unenrollment.objects.filter(status=UnenrollmentStatus.ERROR).count(),
            Unenrollment,
            {"status__exact": UnenrollmentStatus.ERROR},
            level="warn",
        ),
    ]
