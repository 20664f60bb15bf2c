from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Master-data imports from files: one ``ImportSpec`` per importable model, declared by its app in
    ``<app>/imports.py``; the engine, the import jobs with their dry run, the admin's Import button and
    ``manage.py import_records``. Below the domain apps, as ``core`` is: an app's spec names the services that write
    its rows, so this app never imports one."""

    name = "core.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # What each domain app can import from files, in <app>/imports.py. A spec names an analyst list, so the
        # lists (<app>/exports.py) are registered first: this app comes after them in INSTALLED_APPS.
        autodiscover_modules("imports")
