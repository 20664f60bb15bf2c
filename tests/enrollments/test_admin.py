"""Admin: every page renders, lists keep their query budget, searches and actions work, and a real browser
finds an enrollment by account id and sees its unenrollment."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollments import services
from enrollments.api.serializers import DAUnenrollRequestSerializer
from enrollments.models import (
    Appointment,
    Customer,
    Device,
    DeviceReturn,
    Enrollment,
    EnrollmentStatus,
    Premise,
    Program,
    ServicePoint,
    Unenrollment,
)
from tests.factories.enrollments import DeviceFactory, EnrollmentFactory, jane_doe_enrollment

MODELS = [Program, Customer, Premise, ServicePoint, Enrollment, Device, Unenrollment, Appointment, DeviceReturn]
SOON = timezone.now().replace(microsecond=0) + timedelta(days=4)


def unenroll_jane(removal_method="X1UR", transaction_id="ADMIN-TX-1"):
    data = {
        "transactionId": transaction_id,
        "unenrollReason": "LSSL",
        "customerInfo": {"cisAccountId": "1589809012"},
        "locationInfo": {"cisServicePointID": "2486945183"},
        "programInfo": {"programId": "DEMO-BYOT", "endDate": str(timezone.localdate() + timedelta(days=10))},
        "assetInfo": {"removalMethod": removal_method},
        "appointmentSlots": [
            {
                "crewId": "CREW7",
                "startDateTime": SOON.isoformat(),
                "endDateTime": (SOON + timedelta(hours=2)).isoformat(),
            }
        ],
    }
    serializer = DAUnenrollRequestSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return services.unenrollment_request(data=serializer.validated_data)[0]


@pytest.fixture
def populated(db):
    jane = jane_doe_enrollment()
    DeviceFactory(enrollment=jane)
    for _ in range(6):
        DeviceFactory(enrollment=EnrollmentFactory(program=jane.program))
    record = unenroll_jane()
    DeviceReturn.objects.create(unenrollment=record, device=jane.devices.first())
    return jane


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_and_change_pages_render_within_budget(
    admin_client, populated, model, django_assert_max_num_queries
):
    url = reverse(f"admin:enrollments_{model._meta.model_name}_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200
    obj = model.objects.first()
    assert (
        admin_client.get(reverse(f"admin:enrollments_{model._meta.model_name}_change", args=[obj.pk])).status_code
        == 200
    )
    assert admin_client.get(reverse(f"admin:enrollments_{model._meta.model_name}_add")).status_code == 200


@pytest.mark.parametrize(
    ("query", "found"),
    [("1589809012", True), ("0023939882", True), ("2486945183", True), ("Jane", True), ("no-such-customer", False)],
)
def test_enrollments_search_by_account_person_service_point_name(admin_client, populated, query, found):
    response = admin_client.get(reverse("admin:enrollments_enrollment_changelist"), {"q": query})
    assert (f">{populated.pk}<" in response.content.decode()) is found


def test_enrollment_filters(admin_client, populated):
    url = reverse("admin:enrollments_enrollment_changelist")
    response = admin_client.get(url, {"status__exact": EnrollmentStatus.PENDING_UNENROLL})
    assert response.context["cl"].result_count == 1
    response = admin_client.get(url, {"program__id__exact": populated.program_id})
    assert response.context["cl"].result_count == 7


def test_unenrollment_search_and_filters(admin_client, populated):
    url = reverse("admin:enrollments_unenrollment_changelist")
    assert admin_client.get(url, {"q": "ADMIN-TX-1"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"removal_method__exact": "X1SD"}).context["cl"].result_count == 0
    assert admin_client.get(url, {"reason__exact": "LSSL", "status__exact": "PENDING"}).context["cl"].result_count == 1
    detail = admin_client.get(reverse("admin:enrollments_unenrollment_change", args=[Unenrollment.objects.get().pk]))
    assert "CREW7" in detail.content.decode()


def test_unenroll_today_action(admin_client, populated):
    other = Enrollment.objects.exclude(pk=populated.pk).first()
    response = admin_client.post(
        reverse("admin:enrollments_enrollment_changelist"),
        {"action": "unenroll_today", "_selected_action": [other.pk]},
        follow=True,
    )
    assert "1 enrollment(s) unenrolled" in response.content.decode()
    other.refresh_from_db()
    assert other.status == EnrollmentStatus.UNENROLLED


def test_complete_due_action(admin_client, populated):
    Unenrollment.objects.update(end_date=timezone.localdate())
    Enrollment.objects.filter(pk=populated.pk).update(end_date=timezone.localdate())
    response = admin_client.post(
        reverse("admin:enrollments_unenrollment_changelist"),
        {"action": "complete_due", "_selected_action": [Unenrollment.objects.get().pk]},
        follow=True,
    )
    assert "1 due unenrollment(s) completed" in response.content.decode()
    populated.refresh_from_db()
    assert populated.status == EnrollmentStatus.UNENROLLED


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_find_enrollment_by_account_and_see_its_unenrollment(admin_page):
    jane = jane_doe_enrollment()
    DeviceFactory(enrollment=jane)
    EnrollmentFactory(program=jane.program)
    record = unenroll_jane()
    page = admin_page
    page.goto("/admin/enrollments/enrollment/")
    page.fill("#searchbar", "1589809012")
    page.press("#searchbar", "Enter")
    page.wait_for_url("**q=1589809012**")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "Jane Doe" in rows.first.inner_text()
    assert "Pending unenrollment" in rows.first.inner_text()
    rows.first.locator("th a").click()
    page.wait_for_url(f"**/enrollment/{jane.pk}/change/**")
    content = page.content()
    assert "ADMIN-TX-1" in content
    page.get_by_role("link", name="Change").last.click()
    page.wait_for_url(f"**/unenrollment/{record.pk}/change/**")
    body = page.locator("#content").inner_text()
    assert "ADMIN-TX-1" in body and "CREW7" in body
