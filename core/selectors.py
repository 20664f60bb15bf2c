"""Reads shared by the export paths."""

from django.contrib import admin
from django.http import QueryDict
from django.test import RequestFactory

EXPORT_PARAM = "_export"


def changelist_queryset(*, model_admin: admin.ModelAdmin, user, query: str):
    """The queryset an admin changelist shows for ``query`` (its filters, search and ordering), for ``user``.

    Built from a synthetic GET request so that the background export sees exactly what the list showed.
    """
    params = QueryDict(query, mutable=True)
    params.pop(EXPORT_PARAM, None)
    opts = model_admin.model._meta
    request = RequestFactory().get(f"/admin/{opts.app_label}/{opts.model_name}/", params)
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    return changelist.queryset


def model_admin_for(app_label: str, model_name: str) -> admin.ModelAdmin:
    from django.apps import apps

    model = apps.get_model(app_label, model_name)
    return admin.site._registry[model]
