from django.apps import AppConfig


class BlackoutsConfig(AppConfig):
    name = "blackouts"

    def ready(self):
        from core import families

        families.register("bmc", "blackouts.api.bmc")  # the BMC Helix family serves only this app

        from . import events
        from .api import events as api_events

        events.register()  # the change log: tracked models and events
        api_events.register()  # ... and how a policy's event is rendered for the wire (by the delivery worker)
