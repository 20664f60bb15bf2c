"""Shared pieces of the authentication tests: door paths, Basic headers, a user that may call the echo doors."""

import base64

import pytest

ORACLE_ECHO = "/rest/apis/test/echo"
BMC_ECHO = "/events-service/api/v1.0/test/echo"
UIM_ECHO = "/InventoryRSOpenAPI/serviceInventoryManagement/v1/test/echo"
ANALYST_LIST = "/api/contacts/contacts/"
TOKEN = "/api/auth/token/"
REFRESH = "/api/auth/token/refresh/"
ADMIN_LOGIN = "/admin/login/"

ECHO_BODY = {"name": "demo"}
BMC_BODY = {"name": "demo"}

USERNAME = "echo"
PASSWORD = "echo-password"


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def echo_user(django_user_model):
    """May call the echo endpoints (``auth.add_group``) and read the analyst contact list."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(USERNAME, password=PASSWORD)
    user.user_permissions.add(
        Permission.objects.get(codename="add_group"), Permission.objects.get(codename="view_customercontact")
    )
    return user


def call(client, door: str, **extra):
    """One request through a Basic door: POST to a family's echo, GET on the analyst list."""
    if door == ANALYST_LIST:
        return client.get(door, **extra)
    return client.post(door, data=ECHO_BODY, format="json", **extra)
