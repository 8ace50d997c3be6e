"""What readers see: pages over public content, every queryset from ``.published()``.

- views.py      home, archives, issue, article list, article, sources, tags, feed list
- search.py     /search/ and its feed (the engine is search/)
- filters.py, widgets.py   the article list's filters (django-filter)
- lists.py      paginating long lists without OFFSET or COUNT(*) (order kept per version)
- cards.py      article cards and field lists built in Python; cards kept per version
- metadata.py   canonical URL, OpenGraph, JSON-LD
- citations.py  the citations a page offers
- context_processors.py   site name, footer, navigation

Views are thin: a queryset, a template, a context. Imports: syndication, search, facts,
caching, models, text, permalinks, preview, and editorial.history only to tell a removed
article's issue (410); never admin.
"""
