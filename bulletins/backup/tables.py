"""What a backup holds and how each value is written: the tables of the bulletins app,
and the revision history of its issues and articles.

Every concrete model of the app is a table (many-to-many link tables included), written
over all its concrete fields, so that fields and models added later are carried without
touching this code; so are django-reversion's revisions and versions of the app's
objects (the history: 历史, 已删除的期刊). A foreign key inside the archive is written as
the row's id; one to a model outside it (an editor, a content type) by that model's
natural key (a user's username; ``["bulletins", "issue"]``), and so is an editor's id
inside a recorded version's data.

Accounts are not archived. A sign-off (Issue.approved_by) whose account this database
lacks is kept as a PendingSignOff and linked when the account is created; who made a
revision, when that account is missing, is left empty and counted in the warnings.
"""

import datetime
import decimal
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..models import PendingSignOff

FORMAT = "bulletin-archive"
VERSION = 1
APP_LABEL = "bulletins"
# The archive's content: a database holding none of these is empty (the series rows the
# migrations create do not count; a restore replaces them).
CONTENT_TABLES = (
    "bulletins.issue",
    "bulletins.article",
    "bulletins.source",
    "bulletins.sourcealias",
    "bulletins.tag",
)


# Not archived: derived state, made anew after a restore (the content version), and an
# editor's unconfirmed uploads (work in progress tied to an account, not content). Older
# archives may hold rows of these: a restore skips them with a warning.
NOT_ARCHIVED = ("bulletins.contentversion", "bulletins.pendingimport")
# The revision history of the app's objects (django-reversion), after the app's tables.
HISTORY = ("reversion.revision", "reversion.version")


class ArchiveError(Exception):
    """The archive cannot be written or restored; the message says why."""


def archive_models() -> list[type[models.Model]]:
    """The app's tables and its history's, each after the tables it refers to."""
    found = [
        model
        for model in apps.get_app_config(APP_LABEL).get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in NOT_ARCHIVED
    ] + [apps.get_model(label) for label in HISTORY]
    ordered, placed = [], set()

    def place(model, path=()):
        if model in placed or model in path:  # done, or a cycle (constraints are deferred)
            return
        for target in references(model):
            if target in found:
                place(target, (*path, model))
        placed.add(model)
        ordered.append(model)

    for model in found:
        place(model)
    return ordered


def references(model) -> list:
    return [
        f.related_model
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is not model
    ]


@dataclass
class Table:
    """One model's rows as JSON objects, and back."""

    model: type[models.Model]
    inside: set = field(repr=False)  # the models the archive holds
    _natural_keys: dict = field(default_factory=dict, repr=False)
    _by_natural_key: dict = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def fields(self) -> list:
        return [f for f in self.model._meta.concrete_fields if not f.generated]

    def is_outside_key(self, f) -> bool:
        return f.is_relation and f.related_model not in self.inside

    def rows(self) -> models.QuerySet:
        """The rows the archive holds."""
        return self.model._base_manager.all()

    def clear(self, cursor, ops) -> None:
        """Delete the rows a restore replaces."""
        cursor.execute(f"DELETE FROM {ops.quote_name(self.model._meta.db_table)}")

    def finish(self, warn) -> None:
        """After every row is loaded: what a table does with what it could not place."""

    # Writing

    def encode(self, obj) -> dict:
        row = {}
        for f in self.fields:
            if self.is_outside_key(f):
                row[f.name] = self.natural_key(f, getattr(obj, f.attname))
            elif f.is_relation:
                row[f.name] = getattr(obj, f.attname)
            else:
                row[f.name] = plain(f, obj)
        return row

    def natural_key(self, f, pk):
        if pk is None:
            return None
        target = f.related_model
        if not hasattr(target, "natural_key"):
            raise ArchiveError(
                f"{self.label}.{f.name} refers to {target._meta.label}, which has no natural "
                "key: it cannot be written portably."
            )
        return self.natural_key_of(target, pk)

    def natural_key_of(self, target, pk):
        if target not in self._natural_keys:
            self._natural_keys[target] = {
                obj.pk: list(obj.natural_key()) for obj in target._default_manager.all()
            }
        return self._natural_keys[target].get(pk)

    # Reading

    def decode(self, row: dict, warn) -> models.Model:
        obj = self.model()
        for f in self.fields:
            if f.name not in row:
                continue  # written before the field existed: the model's default stands
            value = row[f.name]
            if self.is_outside_key(f):
                setattr(obj, f.attname, self.find_by_natural_key(f, value, row, warn))
            elif f.is_relation:
                setattr(obj, f.attname, value)
            else:
                setattr(obj, f.attname, None if value is None else f.to_python(value))
        return obj

    def find_by_natural_key(self, f, key, row, warn):
        if key is None:
            return None
        target = f.related_model
        pk = self.pk_of(target, key)
        if pk is None:
            where = f"{self.label} {row.get(self.model._meta.pk.name)} {f.name}"
            if not f.null:
                raise ArchiveError(f"{where}: no {target._meta.label} {key!r} in this database.")
            self.missing(f, key, row, where, warn)
        return pk

    def pk_of(self, target, key):
        """The id of ``target``'s row with natural key ``key`` here, or None."""
        cache = self._by_natural_key.setdefault(target, {})
        if tuple(key) not in cache:
            try:
                cache[tuple(key)] = target._default_manager.get_by_natural_key(*key).pk
            except target.DoesNotExist:
                cache[tuple(key)] = None
        return cache[tuple(key)]

    def missing(self, f, key, row, where, warn) -> None:
        """A reference that may be empty names a row this database lacks."""
        warn(f"{where}: no {f.related_model._meta.label} {key!r} in this database; left empty.")


def names(keys) -> str:
    """Natural keys as a short list for a warning: li, wang (and 3 more)."""
    shown = sorted(" ".join(map(str, key)) for key in keys)
    more = f" (and {len(shown) - 10} more)" if len(shown) > 10 else ""
    return ", ".join(shown[:10]) + more


@dataclass
class IssueTable(Table):
    """A sign-off whose account this database lacks is kept by username (PendingSignOff)
    and linked when an account of that name is created."""

    _unsigned: dict = field(default_factory=dict, repr=False)  # issue id -> username

    def missing(self, f, key, row, where, warn) -> None:
        if f.name != "approved_by":
            super().missing(f, key, row, where, warn)
            return
        self._unsigned[row[self.model._meta.pk.name]] = key[0]

    def finish(self, warn) -> None:
        for issue_id, username in self._unsigned.items():
            PendingSignOff.objects.update_or_create(
                issue_id=issue_id, defaults={"username": username}
            )
        by_name = Counter(self._unsigned.values())
        for username, count in sorted(by_name.items()):
            warn(
                f"bulletins.issue approved_by: no account {username!r} in this database "
                f"({count} sign-offs); kept, and linked when an account named {username!r} "
                "is created."
            )
        # Sign-offs pending in the archive itself, whose accounts exist here now.
        PendingSignOff.objects.link()


def app_versions(queryset):
    return queryset.filter(content_type__app_label=APP_LABEL)


def clear_history() -> None:
    """The app's revisions (with all their versions) and any other version of its objects."""
    version = apps.get_model("reversion.version")
    revisions = version.objects.filter(content_type__app_label=APP_LABEL).values("revision_id")
    apps.get_model("reversion.revision").objects.filter(pk__in=revisions).delete()
    app_versions(version.objects).delete()


@dataclass
class RevisionTable(Table):
    """Revisions holding versions of the app's objects. Who made one is written by
    username; a missing account leaves it empty, counted in one warning."""

    _missing: Counter = field(default_factory=Counter, repr=False)

    def rows(self):
        version = apps.get_model("reversion.version")
        holding = app_versions(version.objects).values("revision_id")
        return self.model._base_manager.filter(pk__in=holding)

    def clear(self, cursor, ops) -> None:
        clear_history()

    def missing(self, f, key, row, where, warn) -> None:
        self._missing[tuple(key)] += 1

    def finish(self, warn) -> None:
        if self._missing:
            warn(
                f"reversion.revision user: {sum(self._missing.values())} revisions were made "
                f"by accounts not in this database ({names(self._missing)}); kept without "
                "who made them."
            )


@dataclass
class VersionTable(Table):
    """Versions of the app's objects. Their content type is written as
    ``["bulletins", "issue"]``; inside their serialized data, a reference to an account
    (an issue's approved_by) is written by username and found again by it (left empty,
    and counted, when this database lacks the account). Other ids there are the
    archive's own, kept by a restore."""

    _missing: Counter = field(default_factory=Counter, repr=False)

    def rows(self):
        return app_versions(self.model._base_manager)

    def clear(self, cursor, ops) -> None:
        clear_history()

    def encode(self, obj) -> dict:
        row = super().encode(obj)
        row["serialized_data"] = self.recoded(obj, self.portable)
        return row

    def decode(self, row: dict, warn) -> models.Model:
        obj = super().decode(row, warn)
        obj.serialized_data = self.recoded(obj, self.local)
        return obj

    def finish(self, warn) -> None:
        if self._missing:
            warn(
                f"reversion.version: {sum(self._missing.values())} references in recorded "
                f"versions name accounts not in this database ({names(self._missing)}); "
                "left empty there."
            )

    def recoded(self, obj, change) -> str:
        """The version's data with every reference to an account changed by ``change``
        (unchanged text when nothing changes, so a round trip keeps it byte for byte)."""
        if obj.format != "json" or not obj.serialized_data:
            return obj.serialized_data
        model = ContentType.objects.get_for_id(obj.content_type_id).model_class()
        outside = [
            f
            for f in (model._meta.concrete_fields if model else ())
            if f.is_relation
            and f.related_model not in self.inside
            and f.related_model is not ContentType
        ]
        if not outside:
            return obj.serialized_data
        data = json.loads(obj.serialized_data)
        changed = False
        for item in data:
            values = item.get("fields", {})
            for f in outside:
                if values.get(f.name) is not None:
                    new = change(f.related_model, values[f.name])
                    changed = changed or new != values[f.name]
                    values[f.name] = new
        if not changed:
            return obj.serialized_data
        # As Django's JSON serializer writes it (reversion stores that text).
        return json.dumps(data, ensure_ascii=False)

    def portable(self, target, pk):
        return self.natural_key_of(target, pk) if hasattr(target, "natural_key") else pk

    def local(self, target, key):
        if not isinstance(key, list):
            return key
        pk = self.pk_of(target, key)
        if pk is None:
            self._missing[tuple(key)] += 1
        return pk


JSON_NATIVE = (type(None), bool, int, float, str, list, dict)


def plain(f, obj):
    """A field's value as JSON: as it is, or as Django's own string form of it."""
    value = f.value_from_object(obj)
    if isinstance(value, JSON_NATIVE):
        return value
    if isinstance(value, (datetime.date, datetime.time, decimal.Decimal, uuid.UUID)):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f.value_to_string(obj)


SPECIAL = {
    "bulletins.issue": IssueTable,
    "reversion.revision": RevisionTable,
    "reversion.version": VersionTable,
}


def archive_tables() -> list[Table]:
    found = archive_models()
    inside = set(found)
    return [SPECIAL.get(model._meta.label_lower, Table)(model, inside) for model in found]
