from django.apps import AppConfig


class BlackoutsConfig(AppConfig):
    name = "blackouts"

    def ready(self):
        from . import events

        events.register()  # the change log: tracked models and events
