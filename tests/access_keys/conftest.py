import pytest
from django.contrib.auth.models import Group

from core.access_keys import services


@pytest.fixture
def integration(django_user_model):
    user = django_user_model.objects.create_user("bmc-client", "bmc@example.com", "bmc-client-password")
    user.groups.add(Group.objects.get(name="integration"))
    return user


@pytest.fixture
def key_and_secret(integration):
    """An active key of the integration user and its secret (as the admin or the command shows it once)."""
    return services.access_key_create(user=integration, name="Control-M", description="events from Control-M")


LOGIN = "/ims/api/v1/access_keys/login"
REFRESH = "/ims/api/v1/auth/tokens"
