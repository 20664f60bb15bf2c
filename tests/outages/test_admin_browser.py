"""Real browser: an outage page with its characteristics inline fits a 1,280 px screen (issue 14: it was 1,950)."""

import pytest

from outages.models import OutageCharacteristic
from tests.factories.outages import OutageEventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_characteristics_inline_does_not_widen_the_page(admin_page, tmp_path):
    event = OutageEventFactory()
    OutageCharacteristic.objects.create(
        event=event,
        characteristic_type="CM-CAUSE",
        type_of_characteristic_value="ADV ",
        sequence=1,
        value="Tree on line near the substation",
        value2="FEEDER-12",
        value3="CREW-7",
    )
    page = admin_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/admin/outages/outageevent/{event.pk}/change/")
    page.wait_for_selector("#characteristics-group")
    page.screenshot(path=str(tmp_path / "outage-characteristics.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.input_value("#id_characteristics-0-value") == "Tree on line near the substation"
