"""The editors' rules and records, apart from any screen.

- workflow.py    who may move an issue between draft, review and published (one rule)
- history.py     versions of issues (django-reversion): record, compare, restore, recover
- curation.py    merging and renaming sources and tags, old addresses kept
- continuity.py  gaps and overlaps in numbering and periods; next issue's defaults
- textdiff.py    word-level differences for the comparison page

Imports: models, signals, text; never admin or public.
"""
