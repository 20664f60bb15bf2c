from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self):
        from core.wire import families

        families.register("uim", "inventory.api.uim")  # the Oracle UIM family serves only this app

        from . import events

        events.register()  # the change log: natural keys, TMF638 events for the hub's listeners
