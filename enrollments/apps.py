from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "enrollments"

    def ready(self):
        from . import events

        events.register()  # the change log: natural keys and outbound events
