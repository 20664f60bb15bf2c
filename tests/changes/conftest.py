import pytest
from rest_framework.test import APIClient


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def bmc_client(integration_user):
    from rest_framework_simplejwt.tokens import AccessToken

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(integration_user)}")
    return api


@pytest.fixture
def inventory_demo(db):
    from io import StringIO

    from inventory import demo

    return demo.load(stdout=StringIO())


@pytest.fixture
def loopback_receivers(settings):
    """Local receivers (pytest-httpserver, small servers on 127.0.0.1) are allowed targets, and an attempt gives up
    after 5 s. Not autouse: the SSRF tests need the production rule."""
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
