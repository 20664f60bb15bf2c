"""A real browser: staff search a contact by account id and open it."""

import re

import pytest

from contacts import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_a_contact_by_account_and_open_it(admin_page):
    from tests.factories.contacts import CustomerContactFactory

    CustomerContactFactory.create_batch(5)
    contact = services.contact_upsert(
        external_cc_id="NP-BROWSER-1",
        fields={
            "account_id": "1589809012",
            "delivery_channel": "EMAI",
            "delivery_value": "jane@example.com",
            "status": "C1DV",
            "reason": "delivered",
        },
        identifiers=[{"external_ref_id": "OMS-4242", "identifier_type": "C1OS"}],
        template_data=[{"key": "eta", "value": "18:30"}],
    ).contact

    page = admin_page
    page.goto("/admin/contacts/customercontact/")
    page.fill("#searchbar", "1589809012")
    page.press("#searchbar", "Enter")
    page.wait_for_url("**/admin/contacts/customercontact/?q=1589809012")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    page.click("#result_list tbody tr a:has-text('NP-BROWSER-1')")
    page.wait_for_url(re.compile(rf"/admin/contacts/customercontact/{contact.pk}/change/"))
    body = page.locator("#content").inner_text()
    assert contact.cc_id in body
    assert "OMS-4242" in page.content()
    assert "status history" in body.lower()
    assert "Delivered" in body
