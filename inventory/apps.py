from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self):
        from core import families

        families.register("uim", "inventory.api.uim")  # the Oracle UIM family serves only this app

        from . import events
        from .api import events as api_events

        events.register()  # the change log: natural keys, outbound events
        api_events.register()  # ... and how they are rendered: UIM services, TMF638 events for the hub's listeners
