"""Rough edges of the outages admin (issue 14): an outage reads as its system's name and the OMS's outage id."""

import pytest
from django.urls import reverse

from tests.factories.outages import OutageCustomerFactory

pytestmark = pytest.mark.django_db


def test_an_outage_is_shown_as_its_system_and_id(client, superuser, django_assert_max_num_queries):
    customer = OutageCustomerFactory(event__external_system__name="OMS-EAST", event__external_outage_id="300010")
    event = customer.event
    assert str(event) == "OMS-EAST / 300010"
    client.force_login(superuser)
    with django_assert_max_num_queries(10):  # the name comes with the row (select_related), never a query per row
        page = client.get(reverse("admin:outages_outagecustomer_changelist")).content.decode()
    assert "OMS-EAST / 300010" in page
    assert f"{event.external_system_id}:300010" not in page
    change = client.get(reverse("admin:outages_outageevent_change", args=[event.pk])).content.decode()
    assert "OMS-EAST / 300010" in change
