"""Generated admin tests (NetBox's way): every registered ModelAdmin gets the same screens tested, so a model
registered later is covered for free.

For each admin, on `make run`'s demo data: the changelist, its search, every choice of every list filter, a change
page, and the add page (or its refusal). Log-like records (``ReadOnlyAdminMixin``) refuse add, change and delete
to a superuser. Where adding is allowed, a valid add lands through the admin form (and so through the service) and
an invalid one is a form error, never a 500: ``ADD_CASES`` declares the form data per model, and a test fails
when an addable model has no case, so a model added later cannot slip through.
"""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from core.access_keys.admin import SHOW_ONCE_TEMPLATE as KEY_SHOWN_ONCE
from core.admin import ReadOnlyAdminMixin
from core.changes.admin import SHOW_ONCE_TEMPLATE as SECRET_SHOWN_ONCE

# The pages that show a secret once, answering the save that set it (a webhook secret, an access key's secret).
SHOW_ONCE_TEMPLATES = frozenset({SECRET_SHOWN_ONCE, KEY_SHOWN_ONCE})

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
IDS = [model._meta.label for model, _ in ADMINS]


@pytest.fixture
def staff(demo_data, db, client, django_user_model):
    user = django_user_model.objects.create_superuser("generated-admin", "ga@example.com", "pw-generated-admin")
    client.force_login(user)
    return client


def _url(model, name, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)


def _first(model, model_admin, request):
    obj = model_admin.get_queryset(request).order_by("pk").first()
    if obj is None and model._meta.label in MAKE_ONE:
        obj = MAKE_ONE[model._meta.label](request.user)
    return obj


def _export_job(user):
    from core.lists.models import ExportJob

    return ExportJob.objects.create(user=user, app_label="outages", model_name="outageevent", query="", fmt="csv")


def _import_job(user):
    from core.imports.models import ImportJob

    return ImportJob.objects.create(user=user, model_label="enrollments.Premise", fmt="csv", filename="p.csv")


def _device_return(user):
    from enrollments.models import Device, DeviceReturn, Unenrollment

    return DeviceReturn.objects.create(device=Device.objects.first(), unenrollment=Unenrollment.objects.first())


def _blacklisted_token(user):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
    from rest_framework_simplejwt.tokens import RefreshToken

    RefreshToken.for_user(user).blacklist()
    return BlacklistedToken.objects.get()


def _outstanding_token(user):
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
    from rest_framework_simplejwt.tokens import RefreshToken

    RefreshToken.for_user(user)
    return OutstandingToken.objects.get()


# Models the demo data has no row of: how the change-page test makes one.
MAKE_ONE = {
    "lists.ExportJob": _export_job,
    "imports.ImportJob": _import_job,
    "enrollments.DeviceReturn": _device_return,
    "token_blacklist.BlacklistedToken": _blacklisted_token,
    "token_blacklist.OutstandingToken": _outstanding_token,
}


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=IDS)
def test_changelist_search_and_every_filter(staff, model, model_admin):
    url = _url(model, "changelist")
    response = staff.get(url)
    assert response.status_code == 200, response.content[:500]
    changelist = response.context["cl"]
    if model_admin.search_fields:
        assert staff.get(url, {"q": "demo"}).status_code == 200
        assert staff.get(url, {"q": "a'\"%_\\"}).status_code == 200  # NUL: a 400 (tests/core/test_admin_input.py)
    for spec in changelist.filter_specs:
        choices = list(spec.choices(changelist))[1:]  # the first is "All"
        for choice in {id(c): c for c in (choices[:1] + choices[-1:])}.values():  # the first and last real ones
            query = choice["query_string"]
            answer = staff.get(url + query)
            assert answer.status_code == 200, (spec.title, query, answer.content[:300])  # an invalid one is 302 ?e=1


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=IDS)
def test_change_page(staff, model, model_admin):
    request = staff.get(_url(model, "changelist")).wsgi_request
    obj = _first(model, model_admin, request)
    if obj is None:
        pytest.fail(f"the demo data has no {model._meta.label}: the generated change-page test needs one")
    response = staff.get(_url(model, "change", obj.pk))
    assert response.status_code == 200, response.content[:500]


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=IDS)
def test_add_page_or_its_refusal(staff, model, model_admin):
    response = staff.get(_url(model, "add"))
    request = response.wsgi_request
    if model_admin.has_add_permission(request):
        assert response.status_code == 200, response.content[:500]
    else:
        assert response.status_code == 403


READ_ONLY = [(m, a) for m, a in ADMINS if isinstance(a, ReadOnlyAdminMixin)]


@pytest.mark.parametrize(("model", "model_admin"), READ_ONLY, ids=[m._meta.label for m, _ in READ_ONLY])
def test_log_records_are_read_only_for_a_superuser(staff, model, model_admin):
    request = staff.get(_url(model, "changelist")).wsgi_request
    obj = _first(model, model_admin, request)
    assert staff.get(_url(model, "add")).status_code == 403
    assert staff.post(_url(model, "add"), {}).status_code == 403
    if obj is not None:
        before = model._default_manager.filter(pk=obj.pk).values().first()
        assert staff.post(_url(model, "change", obj.pk), {}).status_code == 403
        assert staff.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert model._default_manager.filter(pk=obj.pk).values().first() == before
    page = staff.get(_url(model, "changelist"))
    actions = page.context["cl"].model_admin.get_actions(page.wsgi_request)
    assert "delete_selected" not in actions


def test_the_registry_covers_every_domain_model():
    """Every concrete model of a domain app is in the admin, registered or as an inline (so it is covered)."""
    from django.apps import apps

    from core.roles import DOMAIN_APPS

    registered = {model for model, _ in ADMINS}
    registered |= {inline.model for _, model_admin in ADMINS for inline in model_admin.inlines}
    missing = [
        m._meta.label
        for app in DOMAIN_APPS
        for m in apps.get_app_config(app).get_models()
        if m not in registered and not m._meta.auto_created
    ]
    assert not missing, f"not in the admin: {missing}"


def _add_form_data(response) -> dict:
    """The add form as the browser would post it untouched: initial values and every inline's management form
    (no inline rows)."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if callable(value):
            value = value()
        if value is None or value == []:
            continue
        data[name] = value
    for inline in response.context.get("inline_admin_formsets", []):
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


_ERRORLIST = re.compile(rb'class="errorlist')


def _first_value(label: str, field: str):
    from django.apps import apps

    return apps.get_model(label).objects.order_by("pk").values_list(field, flat=True)[0]


def _first_pk(label: str):
    from django.apps import apps

    return apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True)[0]


# The policy form's timeframe editor, filled in as staff do (blackouts/timeframe_editor.py).
TIMEFRAME = {
    "timeframe_recurrence": "daily",
    "timeframe_start_date": "2030-01-01",
    "timeframe_start_time": "10:00",
    "timeframe_end_time": "11:00",
    "timeframe_zone": "Europe/Paris",
    "timeframe_days": "all",
    "timeframe_ends": "never",
}

# Per addable model: (valid form values, invalid form values), as callables over the demo data. The invalid one
# breaks a rule the domain owns (not merely a required field) wherever the model has such a rule.
ADD_CASES = {
    "changes.Subscription": lambda: (
        {
            "name": "GIS listener",
            "target_url": "https://hooks.example.com/backoffice",
            "event_types": '["outage.etr_changed"]',
            "format": "standard",
            "enabled": "on",
        },
        {  # link-local: the cloud metadata address (SSRF)
            "name": "metadata",
            "target_url": "http://169.254.169.254/latest/meta-data/",
            "event_types": '["outage.etr_changed"]',
            "format": "standard",
            "enabled": "on",
        },
    ),
    "access_keys.AccessKey": lambda: (
        {"name": "Control-M", "description": "events from Control-M", "user": _first_pk("auth.User")},
        {  # already expired
            "name": "stale",
            "user": _first_pk("auth.User"),
            "expires_at_0": "2020-01-01",
            "expires_at_1": "00:00:00",
        },
    ),
    "auth.Group": lambda: ({"name": "night shift"}, {"name": ""}),
    "auth.User": lambda: (
        {
            "username": "new-staff",
            "usable_password": "true",
            "password1": "A-long-pass-1",
            "password2": "A-long-pass-1",
        },
        {"username": "new-staff", "usable_password": "true", "password1": "A-long-pass-1", "password2": "other"},
    ),
    "outages.ExternalSystem": lambda: (
        {"name": "GIS feed", "is_active": "on"},
        {"name": _first_value("outages.ExternalSystem", "name")},  # taken (NUL: a 400, test_admin_input.py)
    ),
    "outages.OutageEvent": lambda: (
        {
            "external_system": _first_pk("outages.ExternalSystem"),
            "external_outage_id": "GEN-1",
            "outage_type": "C1UP",
            "start_date_time_0": "2026-02-06",
            "start_date_time_1": "10:00:00",
        },
        {  # an ETR before the start
            "external_system": _first_pk("outages.ExternalSystem"),
            "external_outage_id": "GEN-2",
            "outage_type": "C1UP",
            "start_date_time_0": "2026-02-06",
            "start_date_time_1": "10:00:00",
            "estimated_restoration_time_0": "2026-02-05",
            "estimated_restoration_time_1": "10:00:00",
        },
    ),
    "contacts.CustomerContact": lambda: (
        {"external_cc_id": "GEN-1", "delivery_channel": "SMS ", "delivery_value": "+14155552671", "origin": "NMS "},
        {"external_cc_id": "GEN-2", "delivery_channel": "EMAI", "delivery_value": "+14155552671", "origin": "NMS "},
    ),
    "enrollments.Program": lambda: ({"program_id": "GEN-P", "name": "Generated"}, {"program_id": "", "name": "x"}),
    "enrollments.Customer": lambda: ({"cis_account_id": "GEN-A", "name": "Gen Erated"}, {"cis_account_id": "a" * 31}),
    "enrollments.Premise": lambda: (
        {"cis_premise_id": "GEN-PR", "address1": "1 Generated Way", "city": "Fresno"},
        {"cis_premise_id": "a" * 61, "address1": "x"},
    ),
    "enrollments.ServicePoint": lambda: (
        {"cis_service_point_id": "GEN-SP", "premise": _first_pk("enrollments.Premise")},
        {"cis_service_point_id": "GEN-SP2", "premise": ""},
    ),
    "enrollments.ServiceAgreement": lambda: (
        {"customer": _first_pk("enrollments.Customer"), "service_point": _last_pk("enrollments.ServicePoint")},
        {"customer": _first_pk("enrollments.Customer"), "service_point": ""},
    ),
    "enrollments.Enrollment": lambda: _enrollment_case(),
    "enrollments.Device": lambda: (
        {"enrollment": _first_pk("enrollments.Enrollment"), "serial_number": "GEN-SN-1", "asset_ownership": "W1OW"},
        {"enrollment": _first_pk("enrollments.Enrollment"), "serial_number": "", "asset_ownership": "W1OW"},
    ),
    "blackouts.BlackoutPolicy": lambda: (
        {"name": "generated", "execution_order": 1, "selector_criteria": "class equals 'DB'", **TIMEFRAME},
        {
            "name": "generated-bad",
            "execution_order": 1,
            "selector_criteria": "msg matches 'a++'",
            **TIMEFRAME,
        },
    ),
    "inventory.Specification": lambda: (
        {"id": "GEN_SPEC", "entity_type": "Service", "version": "1"},
        {"id": "", "entity_type": "Service", "version": "1"},
    ),
    "inventory.Party": lambda: (
        {"id": "GEN-PARTY", "name": "Generated", "referred_type": "Individual"},
        {"id": "GEN-PARTY2", "name": "", "referred_type": "Individual"},
    ),
    "inventory.Place": lambda: ({"id": "GEN-PLACE", "referred_type": "GeographicAddress"}, {"id": ""}),
    "inventory.Resource": lambda: ({"id": "GEN-RES", "type": "LogicalDevice"}, {"id": "", "type": "LogicalDevice"}),
    "inventory.BusinessInteraction": lambda: (
        {"description": "generated bundle", **bundle_items(_first_pk("inventory.Specification"))},
        {"description": "no items", **bundle_items()},  # a bundle without items leads nowhere: refused
    ),
    "inventory.Service": lambda: (
        {"name": "GenCFS", "category": "CFS", "state": "designed", "specification": "Email_CFS"},
        {  # ends before it starts
            "name": "GenCFS2",
            "category": "CFS",
            "state": "designed",
            "specification": "Email_CFS",
            "start_date_0": "2030-01-02",
            "start_date_1": "00:00:00",
            "end_date_0": "2030-01-01",
            "end_date_1": "00:00:00",
        },
    ),
}


def bundle_items(*specifications, **extra) -> dict:
    """The bundle add form's item rows (a formset): one item per specification id."""
    data = {"items-TOTAL_FORMS": str(len(specifications)), "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1"}
    for i, spec in enumerate(specifications):
        data.update({f"items-{i}-name": f"Generated item {i}", f"items-{i}-specification": spec})
        data.update({f"items-{i}-state": "designed", **{f"items-{i}-{k}": v for k, v in extra.items()}})
    return data


def _enrollment_case():
    from enrollments.models import Customer, ServicePoint

    program = _open_program()
    customer = Customer.objects.exclude(enrollments__program_id=program).order_by("pk").first()
    form = {"customer": customer.pk, "service_point": ServicePoint.objects.order_by("pk")[0].pk, "program": program}
    valid = {**form, "start_date": "2031-01-01"}
    invalid = {**form, "start_date": "2031-01-02", "end_date": "2031-01-01"}  # ends before it starts
    return valid, invalid


def _open_program():
    from enrollments.models import Program

    return Program.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[0]


def _last_pk(label: str):
    from django.apps import apps

    return apps.get_model(label).objects.order_by("-pk").values_list("pk", flat=True)[0]


# What one add makes one of, where an add writes more rows of the model (a bundle and its items' interactions).
ADDED_ROWS = {"inventory.BusinessInteraction": {"parent__isnull": True}}


def _records(model):
    return model._default_manager.filter(**ADDED_ROWS.get(model._meta.label, {}))


def _addable(model, model_admin, request) -> bool:
    return model_admin.has_add_permission(request)


def test_every_addable_model_has_an_add_case(staff):
    request = staff.get(reverse("admin:index")).wsgi_request
    addable = {m._meta.label for m, a in ADMINS if _addable(m, a, request)}
    assert addable == set(ADD_CASES), f"missing: {addable - set(ADD_CASES)}; stale: {set(ADD_CASES) - addable}"


ADDABLE = [(m, a) for m, a in ADMINS if m._meta.label in ADD_CASES]


@pytest.mark.parametrize(("model", "model_admin"), ADDABLE, ids=[m._meta.label for m, _ in ADDABLE])
def test_a_valid_add_lands_and_an_invalid_one_is_a_form_error(staff, model, model_admin):
    valid, invalid = ADD_CASES[model._meta.label]()
    before = _records(model).count()
    refused = post_add(staff, model, invalid)
    assert_form_error(refused)
    assert _records(model).count() == before
    added = post_add(staff, model, valid)
    assert_added(added)
    assert _records(model).count() == before + 1


def _actions(staff, model) -> list[str]:
    page = staff.get(_url(model, "changelist"))
    actions = page.context["cl"].model_admin.get_actions(page.wsgi_request)
    return [name for name in actions if name != "delete_selected"]


ACTIONED = [(m, a) for m, a in ADDABLE if [name for name in a.actions or () if name != "delete_selected"]]


def test_addable_models_with_actions_are_found():
    assert {"inventory.BusinessInteraction", "blackouts.BlackoutPolicy"} <= {m._meta.label for m, _ in ACTIONED}


@pytest.mark.parametrize(("model", "model_admin"), ACTIONED, ids=[m._meta.label for m, _ in ACTIONED])
def test_an_added_record_goes_through_its_first_action(staff, model, model_admin):
    """What staff add in the admin leads somewhere: the first action of its list (beyond delete) runs on the new
    record with a success message and no error (a bundle added without items once said "has no items")."""
    actions = _actions(staff, model)
    before = set(_records(model).values_list("pk", flat=True))
    valid, _ = ADD_CASES[model._meta.label]()
    assert_added(post_add(staff, model, valid))
    (new_pk,) = set(_records(model).values_list("pk", flat=True)) - before
    answer = staff.post(_url(model, "changelist"), {"action": actions[0], "_selected_action": [new_pk]}, follow=True)
    assert answer.status_code == 200
    levels = {m.level_tag: m.message for m in answer.context["messages"]}
    assert "error" not in levels and "success" in levels, levels


def post_add(staff, model, fields: dict):
    page = staff.get(_url(model, "add"))
    assert page.status_code == 200
    data = _add_form_data(page)
    data.update(fields)
    return staff.post(_url(model, "add"), data)


def assert_form_error(response):
    assert response.status_code == 200, response.content[:500]
    assert _ERRORLIST.search(response.content), "expected a form error on the page"


def _errors(response):
    context = response.context or {}
    form = context.get("adminform").form if context.get("adminform") else None
    return (form.errors if form is not None else {}, [m.message for m in context.get("messages", [])])


def assert_added(response):
    if response.status_code == 200 and SHOW_ONCE_TEMPLATES & {t.name for t in response.templates}:
        return  # a model with a secret answers the add with the page that shows it once (docs/events.md)
    assert response.status_code == 302, _errors(response)
