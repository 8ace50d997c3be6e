"""What a backup holds and how each value is written: the tables of the bulletins app.

Every concrete model of the app is a table (many-to-many link tables included), written
over all its concrete fields, so that fields and models added later are carried without
touching this code. A foreign key inside the archive is written as the row's id; one to
a model outside it (an editor, say) by that model's natural key (a user's username).
"""

import datetime
import decimal
import uuid
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models

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


# Derived state, made anew after a restore: not archived.
NOT_ARCHIVED = ("bulletins.contentversion",)


class ArchiveError(Exception):
    """The archive cannot be written or restored; the message says why."""


def archive_models() -> list[type[models.Model]]:
    """The app's tables, each after the tables it refers to."""
    found = [
        model
        for model in apps.get_app_config(APP_LABEL).get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in NOT_ARCHIVED
    ]
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
        cache = self._by_natural_key.setdefault(target, {})
        if tuple(key) not in cache:
            try:
                cache[tuple(key)] = target._default_manager.get_by_natural_key(*key).pk
            except target.DoesNotExist:
                cache[tuple(key)] = None
        pk = cache[tuple(key)]
        if pk is None:
            where = f"{self.label} {row.get(self.model._meta.pk.name)} {f.name}"
            if not f.null:
                raise ArchiveError(f"{where}: no {target._meta.label} {key!r} in this database.")
            warn(f"{where}: no {target._meta.label} {key!r} in this database; left empty.")
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


def archive_tables() -> list[Table]:
    found = archive_models()
    inside = set(found)
    return [Table(model, inside) for model in found]
