from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """The change log and outbound events: one ``Change`` per domain write, the webhook subscriptions it is sent to
    and the outbox of deliveries (docs/events.md). Below the domain apps, as ``core`` is; they describe their models
    to it (``core.changes.track``)."""

    name = "core.changes"
    label = "changes"
    verbose_name = "Change log and events"

    def ready(self):
        from django.contrib import admin

        from . import admin as changes_admin
        from . import (
            lists,  # noqa: F401  (the change log's analyst lists)
            registry,
            subscriptions,
        )

        registry.declare_library_secrets()  # secret fields of Django's and simplejwt's models
        subscriptions.register()  # subscriptions described to the change log (their secret masked)

        changes_admin.install_history(admin.site)  # every change page's History reads the change log
        changes_admin.install_masking(admin.site)  # ... and no page shows a secret field's value
