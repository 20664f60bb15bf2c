"""Generated (NetBox's ``ViewTestCases`` idea): every admin write on a model the change log tracks leaves exactly one
``Change`` for the object it wrote, whatever the door's defaults.

For every registered ModelAdmin whose model is described to the change log (``registry.is_tracked``), as a
superuser and through real admin POSTs: an add (where offered), a change, a delete (where offered), and every
action it offers (``delete_selected`` included), each leaving exactly one new ``Change`` per object written. The
form data is what a browser would post from the page as rendered (initial values, inline management forms and
rows), with the per-model values of ``ADD_CASES`` (tests/core/test_admin_generated.py) for an add and of
``CHANGE_CASES`` below only where the generic edit cannot be valid. An action that needs its object in a state
names it in ``ACTION_CASES``; a tracked model or action added later without what it needs fails here.

An admin that writes through the services but has no ``service_delete`` offers no delete, single or bulk: Django's
own delete would write no ``Change`` and send no event.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse

from core.admin import ReadOnlyAdminMixin, ServiceAdminMixin
from core.changes import registry
from core.changes.models import Change
from tests.core.test_admin_generated import ADD_CASES, SHOW_ONCE_TEMPLATES, _records

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
TRACKED = [(m, a) for m, a in ADMINS if registry.is_tracked(m)]
TRACKED_IDS = [m._meta.label for m, _ in TRACKED]
ACTIONS = [(m, a, name) for m, a in TRACKED for _, name, _ in a._get_base_actions()]
ACTION_IDS = [f"{m._meta.label}.{name}" for m, _, name in ACTIONS]


@pytest.fixture
def staff(demo_data, db, client, django_user_model):
    user = django_user_model.objects.create_superuser("admin-writes", "aw@example.com", "pw-admin-writes")
    client.force_login(user)
    return client


def _url(model, name, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)


def _request(staff, model):
    return staff.get(_url(model, "changelist")).wsgi_request


def _changes(model, pk) -> list:
    object_type = registry.tracked(model).object_type
    return list(Change.objects.filter(object_type=object_type, object_id=str(pk)).order_by("pk"))


class _FormReader(HTMLParser):
    """The fields of the admin's form as a browser would submit them untouched."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self.select, self.select_first, self.select_chosen, self.textarea = None, None, False, None
        self.editable = []  # (name, value) of visible text inputs and text areas outside inlines

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            self.data.append((name, value))
            if kind == "text" and "readonly" not in attrs and "-" not in name:
                self.editable.append((name, value, attrs.get("maxlength")))
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
            self.multiple = "multiple" in attrs
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in attrs:
                self.data.append((self.select, value))
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea = [name, "", "readonly" in attrs]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self.select:
            if not self.select_chosen and not self.multiple and self.select_first is not None:
                self.data.append((self.select, self.select_first))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, value, readonly = self.textarea
            value = value[1:] if value.startswith("\n") else value
            self.data.append((name, value))
            if not readonly and "-" not in name:
                self.editable.append((name, value, None))
            self.textarea = None


def _read_form(response, model) -> _FormReader:
    assert response.status_code == 200, response.content[:500]
    reader = _FormReader(f"{model._meta.model_name}_form")
    reader.feed(response.content.decode())
    assert reader.data, "no form on the page"
    return reader


def _post_data(pairs, fields: dict) -> dict:
    data: dict[str, list] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    data.update({name: value if isinstance(value, list) else [value] for name, value in fields.items()})
    data["_save"] = ["Save"]
    return data


def _form_errors(response) -> str:
    context = response.context or {}
    adminform = context.get("adminform")
    errors = dict(adminform.form.errors) if adminform else {}
    for formset in context.get("inline_admin_formsets", []) or []:
        if formset.formset.errors:
            errors[formset.formset.prefix] = formset.formset.errors
    messages = [m.message for m in context.get("messages", [])]
    return f"{response.status_code}: {errors} {messages}"


def _saved(response) -> bool:
    if response.status_code == 302:
        return True
    return response.status_code == 200 and bool(SHOW_ONCE_TEMPLATES & {t.name for t in response.templates})


# Per tracked model: the values a change posts where the generic edit (a text field given a new value) cannot be
# valid or changes nothing the change log records.
CHANGE_CASES: dict[str, dict] = {
    "enrollments.Enrollment": {"end_date": "2031-06-01"},  # only dates to edit (added starting 2031-01-01)
}
# Text fields the generic edit prefers (a free description before a name that other rows refer to).
PREFERRED = ("description", "name", "comments", "address1", "delivery_value")


def _free_text(model, name) -> bool:
    from django.db import models

    field = model._meta.get_field(name)
    return isinstance(field, models.CharField | models.TextField) and not field.choices and not field.primary_key


def _generic_edit(model, reader: _FormReader) -> dict:
    label = model._meta.label
    if label in CHANGE_CASES:
        return CHANGE_CASES[label]
    recorded = set(registry.tracked(model).fields)
    candidates = [(n, v, m) for n, v, m in reader.editable if n in recorded and _free_text(model, n)]
    candidates.sort(key=lambda c: PREFERRED.index(c[0]) if c[0] in PREFERRED else len(PREFERRED))
    if not candidates:
        pytest.fail(f"{label}: no text field to edit generically; declare its change in CHANGE_CASES")
    name, value, maxlength = candidates[0]
    new = (value or "edited")[: int(maxlength) - 1 if maxlength else None] + "Z"
    if new == value:
        new = new[:-1] + "Y"
    return {name: new}


def _add(staff, model) -> object:
    """Add one object through the admin form; its pk."""
    valid, _ = ADD_CASES[model._meta.label]()
    page = staff.get(_url(model, "add"))
    reader = _read_form(page, model)
    before = set(_records(model).values_list("pk", flat=True))
    response = staff.post(_url(model, "add"), _post_data(reader.data, valid))
    assert _saved(response), _form_errors(response)
    added = set(_records(model).values_list("pk", flat=True)) - before
    assert len(added) == 1, added
    return added.pop()


def _an_object(staff, model, model_admin):
    request = _request(staff, model)
    if model_admin.has_add_permission(request):
        return _add(staff, model)
    obj = model_admin.get_queryset(request).order_by("pk").first()
    assert obj is not None, f"the demo data has no {model._meta.label}"
    return obj.pk


def _assert_one_change(model, pk, before: int, what: str):
    found = _changes(model, pk)
    new = found[before:]
    assert len(new) == 1, f"{what} of {model._meta.label} {pk}: {len(new)} changes ({[c.action for c in new]})"
    return new[0]


@pytest.mark.parametrize(("model", "model_admin"), TRACKED, ids=TRACKED_IDS)
def test_add_leaves_one_change(staff, model, model_admin):
    if not model_admin.has_add_permission(_request(staff, model)):
        assert staff.get(_url(model, "add")).status_code == 403
        return
    pk = _add(staff, model)
    assert _assert_one_change(model, pk, 0, "an add").action == "created"


@pytest.mark.parametrize(("model", "model_admin"), TRACKED, ids=TRACKED_IDS)
def test_change_leaves_one_change(staff, model, model_admin):
    pk = _an_object(staff, model, model_admin)
    obj = model._default_manager.get(pk=pk)
    if not model_admin.has_change_permission(_request(staff, model), obj):
        assert staff.post(_url(model, "change", pk), {}).status_code == 403
        return
    reader = _read_form(staff.get(_url(model, "change", pk)), model)
    before = len(_changes(model, pk))
    response = staff.post(_url(model, "change", pk), _post_data(reader.data, _generic_edit(model, reader)))
    assert _saved(response), _form_errors(response)
    _assert_one_change(model, pk, before, "a change")


@pytest.mark.parametrize(("model", "model_admin"), TRACKED, ids=TRACKED_IDS)
def test_delete_leaves_one_change_or_is_not_offered(staff, model, model_admin):
    pk = _an_object(staff, model, model_admin)
    obj = model._default_manager.get(pk=pk)
    request = _request(staff, model)
    if not model_admin.has_delete_permission(request, obj):
        assert staff.post(_url(model, "delete", pk), {"post": "yes"}).status_code == 403
        assert model._default_manager.filter(pk=pk).exists()
        return
    before = len(_changes(model, pk))
    response = staff.post(_url(model, "delete", pk), {"post": "yes"})
    assert response.status_code == 302, response.content[:800]
    assert not model._default_manager.filter(pk=pk).exists()
    assert _assert_one_change(model, pk, before, "a delete").action == "deleted"


def _disabled_policy(staff, pk):
    from blackouts import services

    services.policies_set_enabled(ids=[pk], enabled=False)
    return [pk]


def _inactive_system(staff, pk):
    from outages import services

    services.external_systems_set_active(system_ids=[pk], active=False)
    return [pk]


def _enabled_policy(staff, pk):
    from blackouts import services

    services.policies_set_enabled(ids=[pk], enabled=True)
    return [pk]


def _started_enrollment(staff, pk):
    from django.utils import timezone

    from enrollments.models import Enrollment, EnrollmentStatus

    today = timezone.localdate()
    started = Enrollment.objects.filter(status=EnrollmentStatus.ENROLLED, start_date__lte=today).order_by("pk")
    return [started.values_list("pk", flat=True)[0]]


def _due_unenrollment(staff, pk):
    """A pending unenrollment whose end date has come: completing it unenrolls its enrollment (the change is the
    enrollment's)."""
    from django.utils import timezone

    from enrollments.models import Enrollment, EnrollmentStatus, Unenrollment, UnenrollmentStatus

    today = timezone.localdate()
    pending = Unenrollment.objects.filter(status=UnenrollmentStatus.PENDING).order_by("pk").first()
    assert pending is not None, "the demo data has no pending unenrollment"
    Unenrollment.objects.filter(pk=pending.pk).update(end_date=today)
    Enrollment.objects.filter(pk=pending.enrollment_id).update(status=EnrollmentStatus.PENDING_UNENROLL, end_date=today)
    return [pending.pk], [(Enrollment, pending.enrollment_id)]


def _demo_bundle(staff, pk):
    from inventory.demo import DEMO_BUNDLE
    from inventory.models import BusinessInteraction

    return [BusinessInteraction.objects.get(description=DEMO_BUNDLE, parent__isnull=True).pk]


def _failed_bundle(staff, pk):
    from django.db import transaction

    from inventory import services

    bundle_pk = _demo_bundle(staff, pk)[0]
    with transaction.atomic():
        services.bundle_mark_failed(bundle_id=bundle_pk, step="APPROVE", reason="generated test")
    return [bundle_pk]


def _approved_bundle(staff, pk):
    from inventory import services

    bundle_pk = _demo_bundle(staff, pk)[0]
    services.bundle_run_task(bundle_id=bundle_pk, task="approve")
    return [bundle_pk]


def _issued_bundle(staff, pk):
    from inventory import services

    bundle_pk = _approved_bundle(staff, pk)[0]
    services.bundle_run_task(bundle_id=bundle_pk, task="issue")
    return [bundle_pk]


# Per action that needs its object in a state (or another object than a fresh one): a callable(staff, pk) giving the
# pks to select (and, when the change is another object's, the (model, pk) it writes). Every other action runs on
# the object the test adds (or the first one).
ACTION_CASES = {
    "blackouts.BlackoutPolicy.enable_policies": _disabled_policy,
    "blackouts.BlackoutPolicy.disable_policies": _enabled_policy,
    "enrollments.Enrollment.unenroll_today": _started_enrollment,
    "outages.ExternalSystem.activate": _inactive_system,
    "inventory.BusinessInteraction.run_activation": _demo_bundle,
    "inventory.BusinessInteraction.approve": _demo_bundle,
    "inventory.BusinessInteraction.issue": _approved_bundle,
    "inventory.BusinessInteraction.activate": _issued_bundle,
    "inventory.BusinessInteraction.cancel": _demo_bundle,
    "inventory.BusinessInteraction.retry": _failed_bundle,
    "enrollments.Unenrollment.complete_due": _due_unenrollment,
}


@pytest.mark.parametrize(("model", "model_admin", "name"), ACTIONS, ids=ACTION_IDS)
def test_every_action_leaves_one_change_per_object(staff, model, model_admin, name):
    request = _request(staff, model)
    offered = model_admin.get_actions(request)
    if name not in offered:
        assert name == "delete_selected" and not model_admin.has_delete_permission(request), (
            f"{name} is not offered to a superuser"
        )
        return
    pk = _an_object(staff, model, model_admin)
    case = ACTION_CASES.get(f"{model._meta.label}.{name}")
    pks = case(staff, pk) if case else [pk]
    pks, written = pks if isinstance(pks, tuple) else (pks, [(model, p) for p in pks])
    befores = {(m, p): len(_changes(m, p)) for m, p in written}
    data = {"action": name, "_selected_action": [str(p) for p in pks], "index": "0"}
    if name == "delete_selected":
        data["post"] = "yes"
    response = staff.post(_url(model, "changelist"), data)
    assert response.status_code == 302, response.content[:800]
    errors = [m.message for m in response.wsgi_request._messages if m.level_tag == "error"]
    assert not errors, errors
    for m, p in written:
        _assert_one_change(m, p, befores[(m, p)], f"the action {name}")


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _ in ADMINS])
def test_an_admin_without_a_service_delete_offers_no_delete(staff, model, model_admin):
    """A service admin without ``service_delete`` offers neither delete nor "Delete selected"; a tracked model's
    admin writes through the services (or writes nothing)."""
    if registry.is_tracked(model):
        assert isinstance(model_admin, ServiceAdminMixin | ReadOnlyAdminMixin), (
            f"{model._meta.label} is tracked by the change log but its admin does not write through the services"
        )
    if not isinstance(model_admin, ServiceAdminMixin) or hasattr(model_admin, "service_delete"):
        return
    request = _request(staff, model)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
    obj = model_admin.get_queryset(request).order_by("pk").first()
    if obj is not None:
        assert staff.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert model._default_manager.filter(pk=obj.pk).exists()
