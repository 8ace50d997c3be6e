"""Backups of the whole archive as one portable JSON Lines file, and restores from it.

``manage.py export_archive PATH`` and ``manage.py import_archive PATH``; the format is
described in docs/archive-format.md. Imports: models and signals (a restore announces
itself: the search index is rebuilt, a new content version starts).
"""
