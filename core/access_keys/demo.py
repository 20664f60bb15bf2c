"""Demo data of the access keys (``manage.py load_demo``): one revoked key of a demo integration user without a
password, to show what a key looks like in the admin. Its secret was never shown: create your own key
(``manage.py create_access_key oms``, or the admin) to log in."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import AccessKey
from .services import access_key_create, access_keys_revoke

DEMO_USER = "bmc-demo"
DEMO_NAME = "Demo key (revoked: create your own)"


def load(stdout=None) -> str:
    if AccessKey.objects.filter(name=DEMO_NAME).exists():
        return "already loaded"
    user, created = get_user_model().objects.get_or_create(username=DEMO_USER)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="integration"))
    key, _secret = access_key_create(user=user, name=DEMO_NAME, description="A demo: its secret was never shown.")
    access_keys_revoke(key_ids=[key.pk])
    return "1 access key (revoked)"
