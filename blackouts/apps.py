from django.apps import AppConfig
from django.db.backends.signals import connection_created


class BlackoutsConfig(AppConfig):
    name = "blackouts"

    def ready(self):
        # SQLite runs the criteria's `matches` with RE2 (Django's own REGEXP there is Python's backtracking `re`).
        from .criteria.compile import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="blackouts_re2_search")

        from . import events
        from .api import events as api_events

        events.register()  # the change log, and the criteria language as the subscriptions' filter
        api_events.register()  # ... and how a policy's event is rendered for the wire (by the delivery worker)
