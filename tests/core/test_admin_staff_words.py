"""The admin speaks as a product: its name on every page (the login page too), no JWT bookkeeping tables on the
index (revoking a user's API logins is an action on users), counted messages in the right number, and a
subscription's errors all at once, each on the field the form names."""

import pytest
from django.contrib import admin
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from core.changes.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, superuser):
    client.force_login(superuser)
    return client


def test_the_product_names_every_page(client, staff):
    index = staff.get(reverse("admin:index")).content.decode()
    assert "Utility &amp; telecom back office" in index and "Django administration" not in index
    assert "Django site admin" not in index
    staff.logout()
    login = client.get(reverse("admin:login")).content.decode()
    assert "Utility &amp; telecom back office" in login and "Django" not in login.split("<body")[0]


def test_token_tables_are_off_the_index_and_users_can_be_signed_out(staff, django_user_model):
    assert not admin.site.is_registered(OutstandingToken) and not admin.site.is_registered(BlacklistedToken)
    assert "token_blacklist" not in staff.get(reverse("admin:index")).content.decode()
    holder = django_user_model.objects.create_user("holder", password="pw-holder-1")
    refresh = RefreshToken.for_user(holder)
    RefreshToken.for_user(holder)
    answer = staff.post(
        reverse("admin:auth_user_changelist"),
        {"action": "revoke_api_logins", "_selected_action": [holder.pk]},
        follow=True,
    )
    assert [m.message for m in answer.context["messages"]] == ["2 refresh tokens revoked."]
    assert BlacklistedToken.objects.filter(token__user=holder).count() == 2
    assert BlacklistedToken.objects.filter(token__jti=refresh["jti"]).exists()


@pytest.mark.parametrize(("count", "said"), [(1, "1 delivery queued again."), (2, "2 deliveries queued again.")])
def test_counted_messages_agree_in_number(staff, count, said):
    sub = Subscription.objects.create(target_url="https://hooks.example.com/x", event_types=["*"], secret="s")
    ids = [
        Delivery.objects.create(event_id=f"e{n}", subscription=sub, event_type="t", object_key="k", payload={}).pk
        for n in range(count)
    ]
    answer = staff.post(
        reverse("admin:changes_delivery_changelist"), {"action": "redeliver", "_selected_action": ids}, follow=True
    )
    assert [m.message for m in answer.context["messages"]] == [said]


def test_subscription_errors_come_all_at_once_in_the_forms_words(staff):
    data = {
        "name": "broken",
        "target_url": "http://169.254.169.254/latest/meta-data/",
        "event_types": '["no.such_event"]',
        "filter": "type equal",
        "format": "standard",
        "enabled": "on",
    }
    answer = staff.post(reverse("admin:changes_subscription_add"), data)
    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert {"target_url", "event_types", "filter"} <= set(errors), errors
    assert "Invalid filter at position 6" in " ".join(errors["filter"])
    assert "eventSelectorCriteria" not in answer.content.decode()
    assert not Subscription.objects.filter(name="broken").exists()
