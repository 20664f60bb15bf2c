from django.apps import AppConfig


class ListsConfig(AppConfig):
    """The analyst lists and exports: every app's lists (``ListSpec``, declared in ``<app>/exports.py``), the analyst
    API built from them, the files written from them and the background export jobs. Below the domain apps, as
    ``core`` is: it names none of them, they register their lists with it."""

    name = "core.lists"
    label = "lists"
    verbose_name = "Analyst lists and exports"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("exports")  # each app registers its analyst lists in <app>/exports.py
