"""A wire request's permission check (issue 12): one query for the user's permissions, then none while cached, and
every change of them (a group's, a user's, a membership, a deleted group) seen on the very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from rest_framework.test import APIClient

from core import auth
from tests.core import auth_helpers
from tests.core.auth_helpers import ORACLE_ECHO, PASSWORD, USERNAME, basic, call

echo_user = auth_helpers.echo_user  # the fixture

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.auth_urls")]


@pytest.fixture
def client():
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic(USERNAME, PASSWORD))
    return api


@pytest.fixture
def group_user(django_user_model):
    """May call the echo doors through a group only (``auth.add_group`` on group ``echoers``)."""
    group = Group.objects.create(name="echoers")
    group.permissions.add(Permission.objects.get(codename="add_group"))
    user = django_user_model.objects.create_user(USERNAME, password=PASSWORD)
    user.groups.add(group)
    return user


def test_permissions_load_in_one_query_then_come_from_the_cache(group_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert auth.user_permissions(group_user) == {"auth.add_group"}
    with django_assert_num_queries(0):
        assert auth.user_permissions(group_user) == {"auth.add_group"}


def test_direct_and_group_permissions_are_both_loaded(group_user):
    group_user.user_permissions.add(Permission.objects.get(codename="view_customercontact"))
    assert auth.user_permissions(group_user) == {"auth.add_group", "contacts.view_customercontact"}


def test_a_request_with_cached_permissions_checks_them_without_a_permission_query(
    group_user, client, django_assert_num_queries
):
    assert call(client, ORACLE_ECHO).status_code == 200  # credentials and permissions now cached
    with django_assert_num_queries(1):  # the user, loaded by the authentication; no permission query
        assert call(client, ORACLE_ECHO).status_code == 200


def test_removing_a_permission_from_the_group_is_seen_on_the_next_request(group_user, client):
    assert call(client, ORACLE_ECHO).status_code == 200
    Group.objects.get(name="echoers").permissions.clear()
    assert call(client, ORACLE_ECHO).status_code == 403


def test_leaving_the_group_is_seen_on_the_next_request(group_user, client):
    assert call(client, ORACLE_ECHO).status_code == 200
    group_user.groups.remove(Group.objects.get(name="echoers"))
    assert call(client, ORACLE_ECHO).status_code == 403


def test_deleting_the_group_is_seen_on_the_next_request(group_user, client):
    assert call(client, ORACLE_ECHO).status_code == 200
    Group.objects.get(name="echoers").delete()
    assert call(client, ORACLE_ECHO).status_code == 403


def test_a_granted_permission_is_seen_on_the_next_request(django_user_model, client):
    user = django_user_model.objects.create_user(USERNAME, password=PASSWORD)
    assert call(client, ORACLE_ECHO).status_code == 403  # the empty set is cached
    user.user_permissions.add(Permission.objects.get(codename="add_group"))
    assert call(client, ORACLE_ECHO).status_code == 200
    user.user_permissions.remove(Permission.objects.get(codename="add_group"))
    assert call(client, ORACLE_ECHO).status_code == 403


def test_joining_a_group_is_seen_on_the_next_request(django_user_model, client):
    group = Group.objects.create(name="echoers")
    group.permissions.add(Permission.objects.get(codename="add_group"))
    user = django_user_model.objects.create_user(USERNAME, password=PASSWORD)
    assert call(client, ORACLE_ECHO).status_code == 403
    user.groups.add(group)
    assert call(client, ORACLE_ECHO).status_code == 200


def test_an_evicted_generation_never_revives_an_older_entry(group_user):
    """The generation is a random token, not a counter: losing it (eviction, restart of a memory cache) makes a
    new one that no stored entry carries."""
    auth.user_permissions(group_user)
    cache.delete(auth.PERMISSIONS_GENERATION_KEY)
    Group.objects.get(name="echoers").permissions.clear()
    cache.delete(auth.PERMISSIONS_GENERATION_KEY)  # as if the bump itself had been evicted
    assert auth.user_permissions(group_user) == set()


def test_a_superuser_needs_no_lookup(django_user_model, django_assert_num_queries):
    admin = django_user_model.objects.create_superuser("root", "r@example.com", "pw")
    with django_assert_num_queries(0):
        auth.prime_permissions(admin)
        assert admin.has_perms(["auth.add_group", "contacts.add_customercontact"])


def test_an_inactive_user_holds_no_permission(group_user):
    group_user.is_active = False
    auth.prime_permissions(group_user)
    assert not group_user.has_perms(["auth.add_group"])


def test_a_basic_request_reads_its_permissions_in_the_round_trip_of_its_credentials(group_user, client, monkeypatch):
    """Locks, credentials entry and permissions come in one ``get_many``: one cache round trip a request."""
    assert call(client, ORACLE_ECHO).status_code == 200  # credentials and permissions now cached
    reads, inside = [], []
    original_many, original_get = cache.get_many, cache.get

    def get_many(keys, *args, **kwargs):
        reads.append(list(keys))
        inside.append(True)
        try:
            return original_many(keys, *args, **kwargs)  # the memory cache's get_many calls get per key
        finally:
            inside.pop()

    def get(*args, **kwargs):
        assert inside, "a cache read of its own"
        return original_get(*args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    monkeypatch.setattr(cache, "get", get)
    assert call(client, ORACLE_ECHO).status_code == 200
    assert len(reads) == 1
    assert set(auth.permissions_keys(USERNAME)) <= set(reads[0])
    assert auth.credentials_cache_key(USERNAME) in reads[0]


def test_a_permission_entry_serves_only_the_user_it_was_stored_for(group_user, django_user_model, client):
    """The entry is keyed by the username: a user who takes the name of a removed one never gets its set."""
    assert call(client, ORACLE_ECHO).status_code == 200  # group_user's set cached under the name
    group_user.delete()  # post_delete of a user replaces no generation: the entry stays in the cache
    django_user_model.objects.create_user(USERNAME, password=PASSWORD)  # same name, no permission
    assert call(client, ORACLE_ECHO).status_code == 403


def test_a_renamed_user_keeps_its_permissions_and_its_old_name_gives_none(group_user, django_user_model):
    assert auth.user_permissions(group_user) == {"auth.add_group"}
    group_user.username = "renamed"
    group_user.save()
    assert auth.user_permissions(group_user) == {"auth.add_group"}
    newcomer = django_user_model.objects.create_user(USERNAME, password=PASSWORD)
    assert auth.user_permissions(newcomer) == set()
