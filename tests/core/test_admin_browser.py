"""Real browser (Debian's chromium through Playwright): log in to the admin and see the domain apps."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOMAIN_APP_TITLES = ["Outages", "Contacts", "Enrollments", "Blackouts", "Inventory"]


def test_admin_login_shows_the_domain_apps(admin_page):
    page = admin_page
    assert page.title() == "Operations | Utility & telecom back office"  # the product's name, not Django's
    content = page.content()
    for title in DOMAIN_APP_TITLES:
        assert f">{title}<" in content, f"{title} app missing from the admin index"
