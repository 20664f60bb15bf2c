"""The operations dashboard on the admin index: each figure equals the count of the changelist it links to."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db.models import F
from django.utils import timezone

from core import charts, dashboard

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'<a href="([^"]+)" class="dash-link"[^>]*>\s*<span class="dash-value" data-value="(\d+)">')


def _figures(html: str) -> list[tuple[str, int]]:
    return [(unescape(url), int(value)) for url, value in FIGURE.findall(html)]


def test_every_figure_equals_the_changelist_it_links_to(demo_data, client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 200
    found = _figures(response.content.decode())
    assert len(found) >= 12, found
    assert sum(value for _, value in found) > 0, "the demo data shows something on the dashboard"
    for url, value in found:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "cl" in page.context, f"{url} did not open a changelist (redirected: invalid filter?)"
        assert page.context["cl"].result_count == value, url


def test_the_dashboard_counts_in_constant_queries(demo_data, client, superuser, django_assert_max_num_queries):
    client.force_login(superuser)
    client.get("/admin/")  # warm the session and content types
    with django_assert_max_num_queries(25):
        response = client.get("/admin/")
    assert b'id="operations-dashboard"' in response.content


def test_a_user_sees_only_the_figures_of_models_they_may_view(demo_data, client, analyst_user):
    analyst_user.is_staff = True
    analyst_user.save()
    client.force_login(analyst_user)
    html = client.get("/admin/").content.decode()
    for url, _ in _figures(html):
        app_label, model_name = url.split("/")[2:4]
        assert analyst_user.has_perm(f"{app_label}.view_{model_name}")


def test_missed_etrs_count_active_outages_whose_etr_has_passed(db):
    from tests.factories.outages import OutageEventFactory

    now = timezone.now()
    before = _outage_figures(now)
    OutageEventFactory(start_date_time=now - timedelta(hours=3), estimated_restoration_time=now - timedelta(hours=1))
    OutageEventFactory(start_date_time=now - timedelta(hours=3), estimated_restoration_time=now + timedelta(hours=1))
    OutageEventFactory(
        start_date_time=now - timedelta(hours=3),
        estimated_restoration_time=now - timedelta(hours=1),
        completion_date_time=now - timedelta(minutes=5),
        state="restored",
    )
    after = _outage_figures(now)
    assert after["ETRs missed"] - before["ETRs missed"] == 1
    assert after["active outages"] - before["active outages"] == 2


def _outage_figures(now) -> dict[str, int]:
    return {f.label: f.value for f in dashboard.REGISTRY["outages"].build(now) if isinstance(f, dashboard.Figure)}


def test_the_hourly_chart_counts_outages_in_progress_at_each_hour(db):
    from tests.factories.outages import OutageEventFactory

    now = timezone.now().replace(minute=30, second=0, microsecond=0)
    before = [value for _, value in _chart(now).bars]
    OutageEventFactory(start_date_time=now - timedelta(hours=5))  # in progress for the last 5 h
    OutageEventFactory(
        start_date_time=now - timedelta(hours=30),
        completion_date_time=now - timedelta(hours=10),
        state="restored",
    )
    chart = _chart(now)
    values = [value - earlier for (_, value), earlier in zip(chart.bars, before, strict=True)]
    assert len(values) == 24
    assert values[-1] == 1  # now
    # started 4 h 30 before the hour: in progress at the hour and at the 4 whole hours before it
    assert values[-7:-1] == [0, 1, 1, 1, 1, 1]
    assert values[0] == 1  # 22 h before the hour the restored one was out (completed 9 h 30 before the hour)
    assert values[-12] == 1 and values[-11] == 0
    assert 'role="img"' in chart.svg and chart.svg.count("<rect") == 24


def _chart(now) -> dashboard.Chart:
    return next(i for i in dashboard.REGISTRY["outages"].build(now) if isinstance(i, dashboard.Chart))


def test_the_chart_is_plain_svg_with_escaped_labels():
    svg = charts.bar_chart_svg([("<a>", 3), ("b", 0)], title="t & u")
    assert svg.startswith("<svg") and "<a>" not in svg and "&lt;a&gt;" in svg and "t &amp; u" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_the_hourly_running_sum_equals_a_count_at_each_instant(db):
    """The chart's four aggregate queries give, at every instant, what counting the outages directly gives."""
    import random

    from django.db.models import Q

    from outages.models import OutageEvent
    from tests.factories.outages import OutageEventFactory

    rng = random.Random(14)
    now = timezone.now().replace(microsecond=0)
    for _ in range(60):
        start = now - timedelta(minutes=rng.randint(-120, 40 * 60))
        done = rng.random() < 0.6
        completion = start + timedelta(minutes=rng.randint(-60, 20 * 60)) if done else None
        if completion is not None and completion > now:
            completion = None
        OutageEventFactory(
            start_date_time=start,
            completion_date_time=completion,
            discarded=rng.random() < 0.1,
            state="restored" if completion else "active",
        )
    OutageEvent.objects.filter(discarded=True).update(state="discarded")
    chart = _chart(now)
    hour = now.replace(minute=0, second=0)
    instants = [hour - timedelta(hours=n) for n in range(22, -1, -1)] + [now]
    for (label, value), instant in zip(chart.bars, instants, strict=True):
        expected = (
            OutageEvent.objects.filter(discarded=False, start_date_time__lt=instant)
            .filter(Q(completion_date_time__isnull=True) | Q(completion_date_time__gte=instant))
            .exclude(completion_date_time__lte=F("start_date_time"))
            .count()
        )
        assert value == expected, label
