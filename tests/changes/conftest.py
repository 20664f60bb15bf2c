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
