from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self):
        from . import events

        events.register()  # the change log: natural keys, TMF638 events for the hub's listeners
