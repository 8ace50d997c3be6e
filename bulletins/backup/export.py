"""Write the whole archive to one JSON Lines file (docs/archive-format.md).

The file is read in one transaction (a consistent snapshot even while editors work), and
written beside its final name then moved into place, so a failed export never leaves a
half-written file where the last good backup was.
"""

import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path

from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .tables import APP_LABEL, FORMAT, VERSION, archive_tables


def open_for_writing(path: Path):
    """A new file beside ``path``, readable by its owner only (the archive holds drafts),
    gzip-compressed when ``path`` ends in .gz; returns the stream and its name."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    if path.suffix == ".gz":
        return gzip.open(temporary, "wt", encoding="utf-8", newline="\n"), temporary
    return open(temporary, "w", encoding="utf-8", newline="\n"), temporary  # noqa: SIM115


def line(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"


def export_archive(path, log=lambda message: None) -> dict:
    """Write every table to ``path``; returns the row count of each table."""
    path = Path(path)
    tables = archive_tables()
    stream, temporary = open_for_writing(path)
    try:
        with stream:
            counts = write(stream, tables, log)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return counts


def write(stream, tables, log) -> dict:
    connection.ensure_connection()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # The first statement of the transaction: every table read from one snapshot.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        counts = {table.label: table.rows().count() for table in tables}
        stream.write(line(manifest(tables, counts)))
        digest, total = hashlib.sha256(), 0
        for table in tables:
            rows = table.rows().order_by("pk").iterator(chunk_size=2000)
            for obj in rows:
                text = line({"table": table.label, "row": table.encode(obj)})
                digest.update(text.encode())
                stream.write(text)
                total += 1
            log(f"{table.label}: {counts[table.label]}")
        stream.write(line({"end": True, "rows": total, "sha256": digest.hexdigest()}))
    return counts


def manifest(tables, counts) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "migrations": sorted(
            MigrationRecorder.Migration.objects.filter(app=APP_LABEL).values_list("name", flat=True)
        ),
        "tables": [
            {
                "table": table.label,
                "rows": counts[table.label],
                "fields": [f.name for f in table.fields],
            }
            for table in tables
        ],
    }
