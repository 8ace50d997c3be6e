"""Backups of the whole archive as one portable JSON Lines file, and restores from it.

``manage.py export_archive PATH`` and ``manage.py import_archive PATH``; the format is
described in docs/archive-format.md. The file holds the app's tables and the revision
history of issues and articles (django-reversion), not accounts nor unconfirmed uploads.
Imports: models and signals (a restore announces itself: the search index is rebuilt, a
new content version starts).
"""
