"""The admin's input guard (core/admin_input.py), generated over every registered ModelAdmin so that an admin added
later is covered for free:

- a query-string or form value (or name) with a character the one character rule refuses (NUL, the other C0
  controls but tab/LF/CR, a lone surrogate) is a 400 page naming the parameter, on every admin page: on
  PostgreSQL a NUL in a changelist filter was a 500 ("PostgreSQL text fields cannot contain NUL");
- an admin action posted with a selected id its model's primary key cannot hold (``%ED%B0%80`` arrives as
  ``"\\ufffd\\ufffd\\ufffd"``, ``abc``, an integer past the column's range) answers the changelist again with an
  error message and runs nothing: it was a 500 ("Field 'id' expected a number").
"""

import pytest
from django.contrib import admin, messages
from django.urls import reverse

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
IDS = [model._meta.label for model, _ in ADMINS]

REFUSED = {"NUL": "a\x00b", "bell": "bell\x07", "escape": "\x1b[31mx"}


@pytest.fixture
def staff(db, client, superuser):
    client.force_login(superuser)
    return client


def _url(model, name, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)


def _filter_parameter(staff, model) -> str:
    """The first parameter of the changelist's first list filter, or the search box's when it has none."""
    page = staff.get(_url(model, "changelist"))
    assert page.status_code == 200, page.content[:300]
    for spec in page.context["cl"].filter_specs:
        names = spec.expected_parameters()
        if names:
            return names[0]
    return "q"


def _refused(response, name: str) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    text = response.content.decode()
    assert "Bad request" in text
    assert name in text


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=IDS)
def test_a_refused_character_in_a_changelist_filter_is_a_400(staff, model, model_admin):
    url = _url(model, "changelist")
    name = _filter_parameter(staff, model)
    for value in REFUSED.values():
        _refused(staff.get(url, {name: value}), name)
    if model_admin.search_fields:
        _refused(staff.get(url, {"q": "demo\x00"}), "q")


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=IDS)
def test_a_refused_character_in_a_form_is_a_400(staff, model, model_admin):
    """A posted form (here the changelist's, as a list_editable or action form posts it) and the add form."""
    _refused(staff.post(_url(model, "changelist"), {"action": "x\x00", "index": "0"}), "action")
    _refused(staff.post(_url(model, "add"), {"name": "a\x00b"}), "name")


def test_the_attack_request_on_postgresql_and_sqlite(staff):
    """The attack run's request, byte for byte: ``?lifecycle_state__gte=a%00b``."""
    response = staff.generic("GET", "/admin/inventory/resource/", QUERY_STRING="lifecycle_state__gte=a%00b")
    _refused(response, "lifecycle_state__gte")


def test_a_refused_character_in_a_parameter_name_is_a_400(staff):
    response = staff.generic("GET", "/admin/inventory/resource/", QUERY_STRING="lifecycle%00state=1")
    assert response.status_code == 400


def test_the_rule_holds_on_every_admin_page(staff, client):
    """Not only the changelists: the index, the autocomplete endpoint, and the login page's query string for an
    anonymous user (its form's credentials are the login's to judge and count: tests/core/test_auth_nul.py)."""
    _refused(staff.get(reverse("admin:index"), {"x": "\x00"}), "x")
    _refused(staff.get(reverse("admin:autocomplete"), {"term": "a\x00"}), "term")
    client.logout()
    _refused(client.get(reverse("admin:login"), {"next": "/admin/\x00"}), "next")
    _refused(client.post(reverse("admin:login") + "?next=%00", {"username": "root", "password": "x"}), "next")


def test_tab_newline_and_carriage_return_are_allowed(staff):
    """Free text (a reason, a message) may hold them, as on the wire."""
    response = staff.get(_url(*ADMINS[0][:1], "changelist"), {"q": "a\tb\r\nc"})
    assert response.status_code == 200


def test_a_surrogate_cannot_arrive_and_replacement_characters_are_text(staff):
    """Django decodes a query string's invalid UTF-8 (``%ED%B0%80``, a lone surrogate's bytes) as U+FFFD: text the
    database holds, so a search for it is answered."""
    response = staff.generic("GET", "/admin/contacts/customercontact/", QUERY_STRING="q=%ED%B0%80")
    assert response.status_code == 200


# --- admin actions with an id the primary key cannot hold ---------------------------------------------------------

GARBAGE_IDS = {
    "lone surrogate bytes": "\ufffd\ufffd\ufffd",
    "letters": "abc",
    "fraction": "1.5",
    "past any integer column": "9" * 30,
    "longer than any key": "x" * 300,
}


def _key_holds(model, value: str) -> bool:
    """Whether the model's primary key can hold ``value``: of these, only a text key, within its length."""
    pk = model._meta.pk
    return pk.get_internal_type() in ("CharField", "SlugField") and len(value) <= pk.max_length


def _actions(model_admin, request):
    return sorted(name for name in model_admin.get_actions(request))


ACTIONS = []
for _model, _model_admin in ADMINS:
    # Every action any admin declares, Django's "Delete selected" included (the role a user has decides elsewhere
    # whether it is offered; a superuser is offered them all).
    names = {name for name, _ in admin.site.actions}
    for action in _model_admin.actions or ():
        names.add(action if isinstance(action, str) else action.__name__)
    ACTIONS.extend((_model, name) for name in sorted(names))


@pytest.mark.parametrize(
    ("model", "action"), ACTIONS, ids=[f"{model._meta.label}.{action}" for model, action in ACTIONS]
)
@pytest.mark.parametrize("garbage", sorted(GARBAGE_IDS))
def test_an_action_on_an_id_the_key_cannot_hold_is_a_message(staff, model, action, garbage):
    url = _url(model, "changelist")
    data = {"action": action, "_selected_action": [GARBAGE_IDS[garbage]], "index": "0"}
    response = staff.post(url, data)
    assert response.status_code in (200, 302), (response.status_code, response.content[:300])
    if action not in _actions(admin.site._registry[model], response.wsgi_request):
        return  # not offered to this admin: Django's own "No action selected" answers
    if _key_holds(model, GARBAGE_IDS[garbage]):
        return  # an id that names no row: the action runs on nothing, as Django does
    shown = [str(m) for m in messages.get_messages(response.wsgi_request)]
    assert any("not a valid id" in text for text in shown), shown
    assert response.status_code == 302 and response["Location"].startswith(url)


def test_the_attack_request(staff):
    """``action=mark_failed&_selected_action=%ED%B0%80&index=0``, byte for byte."""
    response = staff.generic(
        "POST",
        "/admin/contacts/customercontact/",
        "action=mark_failed&_selected_action=%ED%B0%80&index=0",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    shown = [str(m) for m in messages.get_messages(response.wsgi_request)]
    assert any("not a valid id" in text for text in shown), shown


def test_a_valid_id_still_runs_the_action(staff):
    from contacts.models import CustomerContact
    from tests.factories.contacts import CustomerContactFactory

    contact = CustomerContactFactory()
    response = staff.post(
        _url(CustomerContact, "changelist"),
        {"action": "mark_failed", "_selected_action": [str(contact.pk)], "index": "0"},
    )
    assert response.status_code == 302
    shown = [str(m) for m in messages.get_messages(response.wsgi_request)]
    assert shown == ["1 contact now Failed."], shown


def test_the_guard_finds_the_admin_of_the_urlconf_and_script_prefix_in_force(settings):
    """The admin's paths are reversed once per URL resolver and script prefix (core.middleware.admin_paths), never
    carried over to another URLconf or prefix."""
    from django.urls import set_script_prefix

    from core.middleware import admin_paths

    assert admin_paths() == ("/admin/", "/admin/login/")
    settings.ROOT_URLCONF = "bench.urls"  # no admin there: nothing to guard
    assert admin_paths() is None
    settings.ROOT_URLCONF = "config.urls"
    assert admin_paths() == ("/admin/", "/admin/login/")
    set_script_prefix("/backoffice/")
    try:
        assert admin_paths() == ("/backoffice/admin/", "/backoffice/admin/login/")
    finally:
        set_script_prefix("/")
    assert admin_paths() == ("/admin/", "/admin/login/")


def test_a_nul_in_an_admin_page_is_refused_after_the_urlconf_changed_back(staff, settings):
    settings.ROOT_URLCONF = "bench.urls"
    from core.middleware import admin_paths

    assert admin_paths() is None
    settings.ROOT_URLCONF = "config.urls"
    response = staff.get("/admin/", {"q": "a\x00b"})
    assert response.status_code == 400
