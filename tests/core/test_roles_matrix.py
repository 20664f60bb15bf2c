"""The generated role test (issue 21): every admin action, every admin button and every API operation by every role,
through real requests, compared with the role table (``core.roles``).

- Admin: each registered ModelAdmin's changelist as each role (which actions its HTML offers), then a POST of
  every action: a role the table allows runs it; any other is told which permission it lacks (a message and a
  redirect) and nothing runs. Each custom URL (Export, Import, Preview, Calendar, job progress...) answers
  the allowed roles and refuses the others with a 403 page naming the permission.
- API: each operation the schema generator enumerates (and ``?format=csv`` of each analyst list): anonymous 401,
  a role without the declared permissions 403, a role with them anything but 401/403 (and never a 5xx).
- A door that declares no permission fails (``test_every_door_declares_its_permission``), and so does one
  registered later: ``test_an_undeclared_*`` prove the check catches it.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from core import roles
from tests.core import roles_doors
from tests.core.test_admin_generated import MAKE_ONE

STAFF_ROLES = (roles.STAFF, roles.ANALYST, roles.OPERATOR, roles.SUPERUSER)  # integrations are systems, not staff
ACTIONS = roles_doors.admin_actions(admin.site)
BUTTONS = roles_doors.admin_buttons(admin.site)
OPERATIONS = roles_doors.api_operations()
ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
REFUSED = "was not run: it needs the permission"


def _make_user(django_user_model, role):
    if role == roles.ANONYMOUS:
        return None
    name = f"role-{role}"
    if role == roles.SUPERUSER:
        return django_user_model.objects.create_superuser(name, f"{name}@example.com", "pw")
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw", is_staff=role in STAFF_ROLES)
    if role in roles.GROUPS:
        user.groups.add(Group.objects.get(name=role))
    return user


def _perm(model, action) -> str:
    return roles.model_permission(model, action)


def _sees_changelist(role, model) -> bool:
    return role in STAFF_ROLES and (
        roles.role_may(role, [_perm(model, "view")]) or roles.role_may(role, [_perm(model, "change")])
    )


def _read(response):
    """Read a streamed answer to its end (an export left half-read would keep its server-side cursor open past the
    test's transaction on PostgreSQL)."""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def _messages(response) -> list[str]:
    return [str(m.message) for m in get_messages(response.wsgi_request)]


# --- every door declares its permission ------------------------------------------------------------------------


def test_every_door_declares_its_permission():
    assert ACTIONS and BUTTONS and OPERATIONS
    assert roles_doors.undeclared(ACTIONS, BUTTONS, OPERATIONS) == []


def test_an_undeclared_admin_action_fails_the_check():
    from core.admin import RoleAdminMixin
    from core.lists.models import ExportJob

    site = admin.AdminSite(name="dummy")

    class DummyAdmin(RoleAdminMixin, admin.ModelAdmin):
        actions = ["declared", "forgotten"]

        @admin.action(description="Declared", permissions=["export_data"])
        def declared(self, request, queryset):
            pass

        @admin.action(description="Forgot its permission")
        def forgotten(self, request, queryset):
            pass

    site.register(ExportJob, DummyAdmin)
    found = roles_doors.undeclared(actions=roles_doors.admin_actions(site))
    assert found == ["admin action lists.ExportJob:forgotten"]


def test_an_action_naming_an_unknown_capability_fails_django_s_checks():
    from core.admin import RoleAdminMixin
    from core.lists.models import ExportJob

    class DummyAdmin(RoleAdminMixin, admin.ModelAdmin):
        actions = ["typo"]

        @admin.action(description="Typo", permissions=["run_bundel_tasks"])
        def typo(self, request, queryset):
            pass

    errors = DummyAdmin(ExportJob, admin.AdminSite(name="dummy")).check()
    assert [e.id for e in errors] == ["admin.E129"]


def test_an_undeclared_admin_button_fails_the_check():
    from django.urls import path

    from core.admin import RoleAdminMixin, requires
    from core.lists.models import ExportJob

    site = admin.AdminSite(name="dummy")

    class DummyAdmin(RoleAdminMixin, admin.ModelAdmin):
        def get_urls(self):
            return [
                path("declared/", self.admin_site.admin_view(self.declared_view), name="dummy_declared"),
                path("forgotten/", self.admin_site.admin_view(self.forgotten_view), name="dummy_forgotten"),
                *super().get_urls(),
            ]

        @requires("export_data")
        def declared_view(self, request):
            pass

        def forgotten_view(self, request):
            pass

    site.register(ExportJob, DummyAdmin)
    assert roles_doors.undeclared(buttons=roles_doors.admin_buttons(site)) == ["admin button dummy_forgotten"]


def test_an_undeclared_api_operation_fails_the_check():
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.views import APIView

    from core.wire.common import WirePermission

    class Forgotten(APIView):
        permission_classes = [IsAuthenticated]

        def get(self, request):
            pass

    class NoModel(APIView):  # WirePermission without a permission_model: superusers only, and undeclared
        permission_classes = [WirePermission]

        def get(self, request):
            pass

    operations = [
        roles_doors.ApiOperation("/api/forgotten/", "GET", Forgotten.as_view()),
        roles_doors.ApiOperation("/rest/apis/no-model", "GET", NoModel.as_view()),
        *[o for o in OPERATIONS if o.path == "/api/"],  # public: declared in core.roles.PUBLIC_PATHS
    ]
    assert roles_doors.undeclared(operations=operations) == [
        "API operation GET /api/forgotten/",
        "API operation GET /rest/apis/no-model",
    ]


# --- the groups and the docs are the table ---------------------------------------------------------------------


@pytest.mark.django_db
def test_each_group_holds_exactly_the_table_s_permissions():
    for role in roles.GROUPS:
        held = {
            f"{app}.{codename}"
            for app, codename in Permission.objects.filter(group__name=role).values_list(
                "content_type__app_label", "codename"
            )
        }
        assert held == set(roles.role_permissions(role)), role


@pytest.mark.django_db
def test_a_permission_added_by_hand_to_a_group_is_set_back_after_migrate():
    group = Group.objects.get(name=roles.ANALYST)
    group.permissions.add(Permission.objects.get(codename="change_businessinteraction"))
    roles.sync_roles()
    assert not group.permissions.filter(codename="change_businessinteraction").exists()


def test_docs_security_carries_the_role_table():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    start, end = "<!-- role-table:start -->", "<!-- role-table:end -->"
    assert start in text and end in text, "docs/security.md has no generated role table"
    in_docs = text.split(start, 1)[1].split(end, 1)[0].strip()
    assert in_docs == roles.capability_table(), (
        "docs/security.md's role table differs: paste core.roles.capability_table()"
    )


# --- the admin by every role ------------------------------------------------------------------------------------


@pytest.fixture
def role_client(demo_data, db, client, django_user_model, request):
    role = request.node.callspec.params["role"]
    user = _make_user(django_user_model, role)
    if user is not None:
        client.force_login(user)
    return client, user


def _an_object(model, model_admin, user):
    from django.test import RequestFactory

    request = RequestFactory().get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    request.user = user
    obj = model._default_manager.order_by("pk").first()
    if model._meta.label == "inventory.BusinessInteraction":
        obj = model._default_manager.filter(parent__isnull=True).order_by("pk").first()
    if obj is None and model._meta.label in MAKE_ONE:
        obj = MAKE_ONE[model._meta.label](user)
    return obj


def _offered_to_a_superuser(model_admin, request) -> set[str]:
    """What the admin offers at all (e.g. never *Delete selected* of read-only logs): the table applies within it."""
    from django.contrib.auth import get_user_model

    saved = request.user
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    try:
        return set(model_admin.get_actions(request))
    finally:
        request.user = saved


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _ in ADMINS])
def test_admin_changelist_and_every_action(role_client, role, model, model_admin):
    client, user = role_client
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    page = client.get(url)
    actions = [a for a in ACTIONS if a.model is model]
    undeclared = [a.id for a in actions if a.perms is None]
    assert not undeclared, f"admin actions that declare no permission: {undeclared}"
    if role not in STAFF_ROLES:
        assert page.status_code == 302 and "/admin/login/" in page["Location"], page.status_code
        for action in actions:
            answer = client.post(url, {"action": action.name, "_selected_action": ["1"], "index": "0"})
            assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
        return
    if not _sees_changelist(role, model):
        assert page.status_code == 403, (role, page.status_code)
        for action in actions:
            assert client.post(url, {"action": action.name, "index": "0"}).status_code == 403
        return
    assert page.status_code == 200, page.content[:300]
    available = _offered_to_a_superuser(model_admin, page.wsgi_request)
    form = page.context.get("action_form")
    offered = {name for name, _ in form.fields["action"].choices if name} if form else set()
    expected = {a.name for a in actions if a.name in available and roles.role_may(role, a.perms)}
    assert offered == expected, f"{role} is offered {sorted(offered)}; the table says {sorted(expected)}"
    obj = _an_object(model, model_admin, user)
    _check_pages(client, role, model, model_admin, page.wsgi_request, obj)
    for action in actions:
        if action.name not in available:
            continue
        data = {"action": action.name, "index": "0", "_selected_action": [obj.pk] if obj is not None else []}
        answer = client.post(url, data)
        assert answer.status_code in (200, 302), (action.id, answer.status_code)
        texts = _messages(answer)
        if action.name in expected:
            assert not any(REFUSED in t for t in texts), (action.id, texts)
        else:
            assert answer.status_code == 302, action.id
            assert any(REFUSED in t and action.description in t for t in texts), (action.id, texts)
            lacking = [p for p in action.perms if not roles.role_may(role, [p])]
            assert any(all(p in t for p in lacking) for t in texts), (action.id, texts, lacking)


def _check_pages(client, role, model, model_admin, request, obj):
    """The add page (where the admin offers adding at all) and the change page of one object. (The History page
    has its own generated test with real change records, finding 10.)"""
    from django.contrib.auth import get_user_model

    saved = request.user
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    try:
        addable = model_admin.has_add_permission(request)
    finally:
        request.user = saved
    opts = model._meta
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    expected = 200 if addable and roles.role_may(role, [_perm(model, "add")]) else 403
    assert add.status_code == expected, ("add", role, add.status_code)
    if obj is None:
        return
    answer = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert answer.status_code == 200, (role, answer.status_code)  # the changelist opened: so does this


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("button", BUTTONS, ids=[b.id for b in BUTTONS])
def test_admin_button(role_client, role, button):
    client, _user = role_client
    url = button.url()
    for method in ("get", "post"):
        answer = _read(getattr(client, method)(url))
        if role not in STAFF_ROLES:
            assert answer.status_code == 302 and "/admin/login/" in answer["Location"], (method, answer.status_code)
        elif roles.role_may(role, button.perms):
            assert answer.status_code not in (401, 403) and answer.status_code < 500, (method, answer.status_code)
        else:
            assert answer.status_code == 403, (method, answer.status_code)
            lacking = [p for p in button.perms if not roles.role_may(role, [p])]
            assert all(p.encode() in answer.content for p in lacking), answer.content[:500]


# --- the API by every role --------------------------------------------------------------------------------------


@pytest.fixture
def api_user(db, django_user_model, request):
    return _make_user(django_user_model, request.node.callspec.params["role"])


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.id for o in OPERATIONS])
def test_api_operation(api_user, role, operation):
    client = APIClient()
    if api_user is not None:
        client.force_authenticate(api_user)
    method = operation.method.lower()
    body = {} if method in ("post", "put", "patch") else None
    answer = getattr(client, method)(operation.url(), body, format="json") if body is not None else None
    if answer is None:
        answer = getattr(client, method)(operation.url())
    status = _read(answer).status_code
    assert status < 500, answer.content[:300]
    if operation.public:
        assert status not in (401, 403), status
    elif role == roles.ANONYMOUS:
        assert status == 401, status
    elif roles.role_may(role, operation.perms):
        assert status not in (401, 403), (status, answer.content[:300])
    else:
        assert status == 403, (status, answer.content[:300])
