from django.urls import path

from .views import ProgramEnrollDetailView, ProgramEnrollView, ProgramUnenrollDetailView, ProgramUnenrollView

BASE = "rest/apis/cross/digitalAssets/programEnrollments"

urlpatterns = [
    path(f"{BASE}/unenroll", ProgramUnenrollView.as_view(), name="enrollments-unenroll"),
    path(
        f"{BASE}/unenroll/<str:unenrollmentId>", ProgramUnenrollDetailView.as_view(), name="enrollments-unenroll-detail"
    ),
    path(f"{BASE}/enroll", ProgramEnrollView.as_view(), name="enrollments-enroll"),
    path(f"{BASE}/enroll/<str:enrollmentId>", ProgramEnrollDetailView.as_view(), name="enrollments-enroll-detail"),
]
