"""The admin's reliability page: the indices of the chosen period, the monthly charts drawn server-side (SVG, no
script), links to the worst-served customers; the dashboard links to it; staff without the view permission are
refused."""

import pytest

from .test_reliability_api import worked_example  # noqa: F401 - the fixture

PAGE = "/admin/outages/outageevent/reliability/"


@pytest.fixture
def analyst_staff(analyst_user):
    analyst_user.is_staff = True
    analyst_user.save()
    return analyst_user


def test_the_page_shows_the_worked_example(client, analyst_staff, worked_example):  # noqa: F811
    client.force_login(analyst_staff)
    response = client.get(PAGE, {"start": "2025-06-01", "end": "2025-06-02", "zone": "UTC", "customers_served": 10})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-key="saidi"><td>saidi</td><td>39.0</td>' in html
    main = html.split('id="content-main"')[1].split("END SVGs")[0].rsplit("<svg", 1)[0]
    assert main.count("<svg") == 2 and "<script" not in main
    assert 'data-value="39.0"' in html  # June's SAIDI bar
    assert "/api/outages/reliability/customers/?" in html and "list=cemi" in html and "format=csv" in html


def test_a_bad_period_is_a_form_error(client, analyst_staff, db):
    client.force_login(analyst_staff)
    response = client.get(PAGE, {"start": "2025-06-02", "end": "2025-06-01"})
    assert response.status_code == 200 and "After start" in response.content.decode()
    assert client.get(PAGE, {"start": "2025-06-01", "end": "2025-07-01", "zone": "Nowhere/Else"}).status_code == 200


def test_the_dashboard_links_to_it(client, analyst_staff, db):
    client.force_login(analyst_staff)
    assert f'href="{PAGE}"' in client.get("/admin/").content.decode()


def test_staff_without_the_permission_are_refused(client, django_user_model, db):
    user = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
