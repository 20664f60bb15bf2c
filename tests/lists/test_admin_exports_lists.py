"""Every changelist with an Export button, on the demo data: the button translates the changelist's parameters
(sidebar filters, date hierarchy, search) into the list's FilterSet query, and the file holds exactly the rows the
changelist counts. A changelist added later with ``ExportMixin`` is checked for free."""

import csv
import io

import pytest
from django.urls import reverse

csv.field_size_limit(2**31 - 1)  # the outage message log's raw payloads are long cells


def _rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode())))


def _export_admins():
    from django.contrib import admin

    from core.lists.admin import ExportMixin

    return sorted(
        (
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if isinstance(model_admin, ExportMixin)
        ),
        key=lambda pair: pair[0]._meta.label,
    )


EXPORT_ADMINS = _export_admins()


def _changelist_queries(client, url, model_admin) -> list[str]:
    """Every query string the changelist's sidebar filters offer, one date-hierarchy drill-down, and a search."""
    response = client.get(url)
    cl = response.context["cl"]
    queries = []
    for spec in cl.filter_specs:
        for choice in spec.choices(cl):
            query = choice["query_string"].lstrip("?")
            if query:
                queries.append(query)
    hierarchy = model_admin.date_hierarchy
    first = cl.result_list[0] if cl.result_list else None
    moment = getattr(first, hierarchy, None) if hierarchy and first else None
    if moment is not None:
        queries.append(f"{hierarchy}__year={moment.year}")
        queries.append(
            f"{hierarchy}__year={moment.year}&{hierarchy}__month={moment.month}&{hierarchy}__day={moment.day}"
        )
    search = model_admin.export_list().filterset_class.base_filters["search"]
    if first is not None:
        for lookup in search.lookups:
            value = first
            for part in lookup.split("__"):
                value = getattr(value, part, None)
            if isinstance(value, str) and len(value) >= 3:
                queries.append(f"q={value[1:].upper()}")
                break
    return queries


@pytest.mark.parametrize(("model", "model_admin"), EXPORT_ADMINS, ids=[m._meta.label for m, _ in EXPORT_ADMINS])
def test_every_changelist_filter_exports_exactly_the_rows_it_shows(client, superuser, demo_data, model, model_admin):
    client.force_login(superuser)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    export = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
    queries = _changelist_queries(client, url, model_admin)
    assert queries, f"{opts.label}: no filter, hierarchy or search to check"
    for query in ["", *queries]:
        shown = client.get(f"{url}?{query}")
        assert shown.status_code == 200, query
        count = shown.context["cl"].result_count
        response = client.get(f"{export}?{query}&_export=csv" if query else f"{export}?_export=csv")
        assert response.status_code == 200, (query, response.status_code, response.get("Location"))
        assert len(_rows(response)) - 1 == count, (opts.label, query)
