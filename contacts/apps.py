from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self):
        from . import events

        events.register()  # the change log: natural keys and outbound events
