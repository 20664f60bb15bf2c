"""``{% applied_filters cl as applied %}``: the filters a changelist's URL applies that its sidebar does not show (a
dashboard figure's link, ``?state__exact=active&estimated_restoration_time__lt=…``), each in words with a link
that removes it; templates/admin/change_list.html shows them above the list."""

from datetime import datetime

from django import template
from django.contrib.admin.views.main import ALL_VAR, IS_FACETS_VAR, IS_POPUP_VAR, ORDER_VAR, SEARCH_VAR, TO_FIELD_VAR
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone

register = template.Library()

LOOKUPS = {
    "exact": "is",
    "iexact": "is",
    "lt": "before",
    "lte": "up to",
    "gt": "after",
    "gte": "from",
    "in": "is one of",
    "contains": "contains",
    "icontains": "contains",
    "isnull": "is empty:",
    "startswith": "starts with",
}
SKIPPED = {ALL_VAR, ORDER_VAR, SEARCH_VAR, IS_POPUP_VAR, TO_FIELD_VAR, IS_FACETS_VAR, "_changelist_filters"}


def _describe(model, key: str, value: str) -> str:
    parts = key.split("__")
    lookup = parts.pop() if len(parts) > 1 and parts[-1] in LOOKUPS else "exact"
    labels, field = [], None
    for name in parts:
        try:
            field = model._meta.get_field(name)
        except (FieldDoesNotExist, AttributeError):
            labels.append(name.replace("_", " "))
            field = None
            continue
        labels.append(str(getattr(field, "verbose_name", name)))
        model = field.related_model or model
    shown = value
    if isinstance(field, models.DateTimeField):
        try:
            instant = datetime.fromisoformat(value)
            if timezone.is_naive(instant):
                instant = timezone.make_aware(instant)
            local = timezone.localtime(instant)
            shown = f"{formats.date_format(local, 'Y-m-d H:i')} {local.tzname()}"
        except ValueError:
            pass
    elif field is not None and getattr(field, "choices", None):
        shown = {str(k): str(v) for k, v in field.flatchoices}.get(value, value)
    return f"{' / '.join(labels)} {LOOKUPS[lookup]} {shown}"


@register.simple_tag
def applied_filters(cl) -> list[dict]:
    listed: set[str] = set()
    for spec in cl.filter_specs:
        listed.update(spec.expected_parameters())
    hierarchy = f"{cl.date_hierarchy}__" if cl.date_hierarchy else None
    out = []
    for key, value in cl.params.items():
        if key in listed or key in SKIPPED or (hierarchy and key.startswith(hierarchy)):
            continue
        out.append({"key": key, "text": _describe(cl.model, key, value), "remove": cl.get_query_string(remove=[key])})
    return out
