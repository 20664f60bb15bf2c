"""The database router (``DATABASE_ROUTERS``): the primary for everything, a replica only where a door asks.

Reads go to a replica inside ``core.replicas.replica_reads()`` (or on a queryset bound with
``core.replicas.reading()``, which needs no router); every write goes to the primary, even the save of an object
read from a replica; replicas are never migrated (they replay the primary's schema).
"""

from django.db import DEFAULT_DB_ALIAS

from core import replicas
from core.sql import stored_in


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return replicas.routed_alias()  # None: Django's default, the primary

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        known = {DEFAULT_DB_ALIAS, *replicas.aliases()}
        if stored_in(obj1) in known and stored_in(obj2) in known:
            return True  # one database: the replicas hold the primary's rows
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db in replicas.aliases() else None
