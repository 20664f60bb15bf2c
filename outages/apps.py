from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "outages"
    verbose_name = "Outages"

    def ready(self):
        from . import events
        from .api import events as api_events

        events.register()  # the change log: natural keys, outbound events
        api_events.register()  # ... and how an event is rendered for the wire (by the delivery worker)
