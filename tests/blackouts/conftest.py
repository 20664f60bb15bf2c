import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tests.worker import celery_worker  # noqa: F401  (the real-worker fixture)


@pytest.fixture
def bmc_client(integration_user):
    """A client that speaks to the BMC family as the product's clients do: Bearer JWT."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(integration_user)}")
    return client


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Users are created per test; PBKDF2 would make that the slowest part of the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
