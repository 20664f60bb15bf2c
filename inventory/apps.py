from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self):
        from . import events
        from .api import events as api_events

        events.register()  # the change log: natural keys, outbound events
        api_events.register()  # ... and how they are rendered: UIM services, TMF638 events for the hub's listeners
