from django.apps import AppConfig


class BlackoutsConfig(AppConfig):
    name = "blackouts"

    def ready(self):
        from core.wire import families

        families.register("bmc", "blackouts.api.bmc")  # the BMC Helix family serves only this app

        from . import events

        events.register()  # the change log: tracked models and events
