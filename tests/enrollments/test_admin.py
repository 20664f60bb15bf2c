"""Admin: every page renders, lists keep their query budget, searches and actions work, and a real browser
finds an enrollment by account id and sees its unenrollment."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollments import services
from enrollments.models import (
    Appointment,
    Customer,
    Device,
    DeviceReturn,
    Enrollment,
    EnrollmentStatus,
    Premise,
    Program,
    ServiceAgreement,
    ServicePoint,
    Unenrollment,
)
from tests.factories.enrollments import DeviceFactory, EnrollmentFactory, jane_doe_enrollment

from .conftest import unenroll_arguments

MODELS = [
    Program,
    Customer,
    Premise,
    ServicePoint,
    ServiceAgreement,
    Enrollment,
    Device,
    Unenrollment,
    Appointment,
    DeviceReturn,
]
# What happened (requests and their outcomes): read-only in the admin for everyone, superusers included.
LOG_MODELS = [Unenrollment, Appointment, DeviceReturn]
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
    return services.unenrollment_request(**unenroll_arguments(data))


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
    add = admin_client.get(reverse(f"admin:enrollments_{model._meta.model_name}_add"))
    assert add.status_code == (403 if model in LOG_MODELS else 200)


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
    assert "1 enrollment unenrolled" in response.content.decode()
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
    assert "1 due unenrollment completed" in response.content.decode()
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
    page.get_by_role("link", name="View").last.click()  # unenrollments are read-only: a View link
    page.wait_for_url(f"**/unenrollment/{record.pk}/change/**")
    body = page.locator("#content").inner_text()
    assert "ADMIN-TX-1" in body and "CREW7" in body


# --- every door through the services -------------------------------------------------------------


@pytest.mark.parametrize("model", LOG_MODELS, ids=lambda m: m._meta.model_name)
def test_log_records_are_read_only_for_everyone(admin_client, populated, model):
    name = model._meta.model_name
    obj = model.objects.first()
    before = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    change = reverse(f"admin:enrollments_{name}_change", args=[obj.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert admin_client.post(change, {"status": "COMPLETED", "crew_id": "FORGED"}).status_code == 403
    assert admin_client.post(reverse(f"admin:enrollments_{name}_add"), {}).status_code == 403
    delete = reverse(f"admin:enrollments_{name}_delete", args=[obj.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields} == before


def test_customer_and_premise_added_in_the_admin_get_their_keys(admin_client, db):
    response = admin_client.post(
        reverse("admin:enrollments_customer_add"),
        {"cis_account_id": "42", "cis_person_id": "43", "name": "  Ann   LEE "},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Customer.objects.get(cis_account_id="42").name_key == "ann lee"
    response = admin_client.post(
        reverse("admin:enrollments_premise_add"),
        {"cis_premise_id": "P-1", "address1": "9 Elm St.", "city": "Fresno", "state": "CA", "postal": "93700"},
    )
    assert response.status_code == 302
    assert Premise.objects.get(cis_premise_id="P-1").address_key == "9 elm st||||fresno|ca|93700"


def management_forms(page) -> dict:
    """The inline formsets' management fields of an admin page, as a browser posts them back."""
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {f"{management.prefix}-{name}": value for name, value in management.initial.items()}
    return data


def enrollment_form(customer, service_point, program, start, end=""):
    return {
        "customer": customer.pk,
        "service_point": service_point.pk,
        "program": program.pk,
        "start_date": str(start),
        "end_date": str(end),
    }


def test_enrollment_added_in_the_admin_gets_its_status_from_its_dates(admin_client, db):
    from tests.factories.enrollments import CustomerFactory, ProgramFactory, ServicePointFactory

    customer, point, program = CustomerFactory(), ServicePointFactory(), ProgramFactory()
    later = timezone.localdate() + timedelta(days=3)
    form = enrollment_form(customer, point, program, later) | {"status": EnrollmentStatus.UNENROLLED}
    response = admin_client.post(reverse("admin:enrollments_enrollment_add"), form)
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.PENDING  # the posted status is not a field: derived

    # moving the start to today starts it (the same rule, through services.enrollment_update)
    change = reverse("admin:enrollments_enrollment_change", args=[enrollment.pk])
    today = timezone.localdate()
    form = enrollment_form(customer, point, program, today) | management_forms(admin_client.get(change))
    assert admin_client.post(change, form).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED and enrollment.start_date == today


def test_admin_enrollment_refusals_are_form_errors_in_words(admin_client, db):
    from tests.factories.enrollments import ProgramFactory

    jane = jane_doe_enrollment()
    url = reverse("admin:enrollments_enrollment_add")
    today = timezone.localdate()

    def errors_for(form):
        response = admin_client.post(url, form)
        assert response.status_code == 200  # the form again, never a 500
        return " ".join(str(e) for e in response.context["adminform"].form.errors.values())

    text = errors_for(enrollment_form(jane.customer, jane.service_point, jane.program, today, today - timedelta(1)))
    assert "The end date cannot be before the start date." in text
    assert "Constraint" not in text and "enrollments_enrollment_end_after_start" not in text
    text = errors_for(enrollment_form(jane.customer, jane.service_point, jane.program, today))
    assert "Customer is already enrolled in this program here" in text  # the service's check, before saving
    closed = ProgramFactory(is_active=False)
    assert "Program is closed for enrollment" in errors_for(
        enrollment_form(jane.customer, jane.service_point, closed, today)
    )
    assert Enrollment.objects.count() == 1


def test_an_enrollment_being_unenrolled_keeps_its_dates_in_the_admin(admin_client, populated):
    change = reverse("admin:enrollments_enrollment_change", args=[populated.pk])
    populated.refresh_from_db()
    assert populated.status == EnrollmentStatus.PENDING_UNENROLL
    form = admin_client.get(change).context["adminform"].form
    assert "start_date" not in form.fields and "end_date" not in form.fields


def test_enrollments_are_not_deleted_in_the_admin(admin_client, populated):
    delete = reverse("admin:enrollments_enrollment_delete", args=[populated.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Enrollment.objects.filter(pk=populated.pk).exists()


def test_every_constraint_of_the_app_speaks_to_staff():
    from django.apps import apps

    for model in apps.get_app_config("enrollments").get_models():
        for constraint in model._meta.constraints:
            message = constraint.get_violation_error_message()
            assert constraint.name not in message and "Constraint" not in message, (model, constraint.name)


def test_device_returns_are_marked_received_by_the_action(admin_client, populated):
    returned = DeviceReturn.objects.get()
    response = admin_client.post(
        reverse("admin:enrollments_devicereturn_changelist"),
        {"action": "mark_received", "_selected_action": [returned.pk]},
        follow=True,
    )
    assert "1 device return marked received" in response.content.decode()
    returned.refresh_from_db()
    assert returned.status == DeviceReturn.Status.RECEIVED and returned.received_at is not None


def test_an_error_unenrollment_shows_its_wire_number_and_domain_code(admin_client, db):
    jane_doe_enrollment()
    record = services.unenrollment_request(
        **unenroll_arguments(
            {
                "customerInfo": {"cisAccountId": "0"},
                "locationInfo": {"cisServicePointID": "2486945183"},
                "programInfo": {"programId": "DEMO-BYOT"},
            }
        )
    )
    page = admin_client.get(reverse("admin:enrollments_unenrollment_change", args=[record.pk])).content.decode()
    assert "10101 (enrollments.customer_not_found): No customer with cisAccountId 0" in page
