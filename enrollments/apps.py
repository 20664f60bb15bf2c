from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "enrollments"

    def ready(self):
        from . import events, served

        events.register()  # the change log: natural keys and outbound events
        served.register()  # customers served, for the outages app's reliability indices (core.served)
