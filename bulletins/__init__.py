"""The bulletin archive: one Django app (label ``bulletins``) in named parts.

Root: models.py (Series, Issue, Article, Source, Tag; ``.published()``, the one gate to
public content), facts.py (per-version facts about public content), signals.py
(``content_changed``), permalinks.py (reverse() remembered, 301s from old addresses),
preview.py (who may see an unpublished issue: staff, signed links), urls.py, apps.py.

Parts, from the top down; each imports only parts below it (pyproject.toml's import-linter
contracts, run by scripts/test.sh):

    admin, management, templatetags, serving   the editors' screens; commands; tags; HTTP plumbing
    exporting                                  print page and Word file
    public                                     readers' pages
    syndication                                feeds, OPML, sitemaps, robots.txt
    importing, backup                          documents in; the whole archive out and back
    editorial                                  workflow, history, curation, continuity
    search                                     the full-text engine
    facts -> caching -> models, signals -> text, permalinks, preview
"""
