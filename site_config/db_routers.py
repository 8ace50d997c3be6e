"""Reads from read replicas, writes to the primary: set DATABASE_REPLICA_URLS to use it.

Reads inside a transaction on the primary stay on the primary, so that a write and the
reads that check it (the admin saves in a transaction) see the same data. Replicas must
apply a commit before the primary reports it done (synchronous_commit = remote_apply),
or a reader could cache a page from a replica that lags behind the new content version.
"""

import random

from django.conf import settings
from django.db import connections


class ReplicaRouter:
    def __init__(self, replicas=None):
        self.replicas = (
            replicas
            if replicas is not None
            else [alias for alias in settings.DATABASES if alias.startswith("replica")]
        )

    def db_for_read(self, model, **hints):
        if not self.replicas or connections["default"].in_atomic_block:
            return "default"
        return random.choice(self.replicas)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
