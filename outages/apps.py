from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "outages"
    verbose_name = "Outages"

    def ready(self):
        from . import events

        events.register()  # the change log: natural keys, wire representation, outbound events
