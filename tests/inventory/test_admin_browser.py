"""Real browser: open the demo bundle in the admin and run its activation from there (nothing made by hand)."""

from io import StringIO

import pytest

from inventory import demo
from inventory.models import BusinessInteraction, Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_activate_the_demo_bundle_from_the_admin(admin_page):
    demo.load(stdout=StringIO())
    bundle = BusinessInteraction.objects.get(description=demo.DEMO_BUNDLE)
    page = admin_page

    page.goto("/admin/inventory/businessinteraction/")
    row = page.locator("#result_list tbody tr", has_text=demo.DEMO_BUNDLE)
    assert "CREATED" in row.inner_text()
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "run_activation")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    assert "Activation started: 1 bundle." in page.locator(".messagelist").inner_text()

    page.goto(f"/admin/inventory/businessinteraction/{bundle.pk}/change/")
    content = page.locator("#content").inner_text()
    assert "COMPLETED" in content
    for task in ("APPROVE", "ISSUE", "ACTIVATE"):
        assert task in content
    assert set(Service.objects.filter(business_interaction__parent=bundle).values_list("state", flat=True)) == {
        "active"
    }
