"""Restore an archive written by export.py into an empty database, all or nothing.

Rows keep their ids (permalinks stay the same, and so do the ids the revision history
refers to) and their stored times (auto_now fields are not stamped afresh). Rendered
article HTML is computed again from the Markdown rather than trusted from the file.
Everything happens in one transaction: a file that is truncated, altered or inconsistent
leaves the database as it was. Rows of tables no longer archived (an older archive's
unconfirmed uploads) are skipped with a warning.
"""

import contextlib
import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from .. import signals
from ..models import Article
from .tables import CONTENT_TABLES, FORMAT, NOT_ARCHIVED, VERSION, ArchiveError, archive_tables

BATCH = 1000
SKIPPED_WHY = {
    "bulletins.pendingimport": "unconfirmed uploads are an editor's work in progress",
    "bulletins.contentversion": "made anew after a restore",
}


@dataclass
class Restored:
    counts: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


def open_for_reading(path: Path):
    with open(path, "rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    # newline="": lines as written (the checksum covers their exact text).
    if compressed:
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")  # noqa: SIM115


def restore_archive(path, *, replace=False, log=lambda message: None) -> Restored:
    """Load the archive at ``path``; refuse a database with content unless ``replace``."""
    result = Restored()
    tables = {table.label: table for table in archive_tables()}
    with open_for_reading(Path(path)) as stream:
        manifest = read_manifest(stream, tables, result.warnings)
        try:
            with transaction.atomic(), stored_times(t.model for t in tables.values()):
                make_room(tables, replace)
                load_rows(stream, manifest, tables, result)
                for table in tables.values():
                    table.finish(result.warnings.append)
                reset_sequences(tables)
                connection.check_constraints()
        except DatabaseError as error:
            raise ArchiveError(f"The archive does not fit the database: {error}") from error
    # Written table by table, without model signals: index everything, new version.
    signals.announce(Article, None)
    for message in result.warnings:
        log(f"warning: {message}")
    return result


def read_manifest(stream, tables, warnings) -> dict:
    try:
        manifest = json.loads(stream.readline())
    except ValueError as error:
        raise ArchiveError(f"Not an archive: the first line is not JSON ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"Not a {FORMAT} file.")
    if manifest.get("version") != VERSION:
        raise ArchiveError(
            f"Archive format version {manifest.get('version')!r}; this site reads {VERSION}."
        )
    try:
        check_tables(manifest["tables"], tables, warnings)
    except (KeyError, TypeError) as error:
        raise ArchiveError(f"The manifest is malformed ({error!r}).") from error
    return manifest


def check_tables(entries, tables, warnings) -> None:
    for entry in entries:
        table = tables.get(entry["table"])
        if entry["table"] in NOT_ARCHIVED:
            if entry["rows"]:
                warnings.append(
                    f"{entry['table']}: {entry['rows']} rows skipped (not restored: "
                    f"{SKIPPED_WHY.get(entry['table'], 'no longer archived')})."
                )
            continue
        if table is None:
            raise ArchiveError(f"The archive has a table this site does not know: {entry}")
        known = {f.name for f in table.fields}
        unknown = set(entry["fields"]) - known
        if unknown:
            raise ArchiveError(f"{entry['table']} has fields this site does not know: {unknown}")
        for name in sorted(known - set(entry["fields"])):
            warnings.append(f"{entry['table']}.{name} is not in the archive; default used.")


def make_room(tables, replace: bool) -> None:
    """Check the database is empty (or empty it when told to replace its content)."""
    present = {
        label: tables[label].model._base_manager.count()
        for label in CONTENT_TABLES
        if label in tables
    }
    if any(present.values()) and not replace:
        found = ", ".join(f"{label} {n}" for label, n in present.items() if n)
        raise ArchiveError(
            f"The database already holds an archive ({found}). Restore into an empty "
            "database, or pass --replace to delete what is there first."
        )
    with connection.cursor() as cursor:
        for table in reversed(list(tables.values())):
            table.clear(cursor, connection.ops)


def load_rows(stream, manifest, tables, result) -> None:
    expected = {entry["table"]: entry["rows"] for entry in manifest["tables"]}
    counts = dict.fromkeys(expected, 0)
    digest, batch, table, end = hashlib.sha256(), [], None, None
    for number, text in enumerate(stream, start=2):
        try:
            data = json.loads(text)
            if data.get("end"):
                end = data
                break
            label = data["table"]
            if label not in counts:
                raise ArchiveError(f"Line {number}: a row of an unlisted table {label!r}.")
            if label in NOT_ARCHIVED:  # an older archive's: counted, checked, not restored
                digest.update(text.encode())
                counts[label] += 1
                continue
            obj = tables[label].decode(data["row"], result.warnings.append)
        except (ValueError, KeyError, TypeError, AttributeError, ValidationError) as error:
            raise ArchiveError(
                f"Line {number} is not a row of this archive ({error!r})."
            ) from error
        digest.update(text.encode())
        if table is not None and label != table.label:
            flush(table, batch)
            batch = []
        table = tables[label]
        if hasattr(obj, "render_body"):
            obj.render_body()
        batch.append(obj)
        counts[label] += 1
        if len(batch) >= BATCH:
            flush(table, batch)
            batch = []
    if table is not None:
        flush(table, batch)
    if end is None:
        raise ArchiveError("The archive ends early: its last line is missing (truncated?).")
    if end.get("sha256") != digest.hexdigest() or counts != expected:
        raise ArchiveError(
            "The archive's rows do not match its manifest and checksum (altered or "
            f"damaged): {counts} read, {expected} listed."
        )
    result.counts = {label: n for label, n in counts.items() if label not in NOT_ARCHIVED}


def flush(table, batch) -> None:
    if batch:
        table.model._base_manager.bulk_create(batch)


def reset_sequences(tables) -> None:
    """The next new row gets an id after the restored ones (PostgreSQL sequences)."""
    models = [table.model for table in tables.values()]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@contextlib.contextmanager
def stored_times(models):
    """auto_now / auto_now_add fields keep the archive's values while restoring."""
    stamped = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
    for f in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
