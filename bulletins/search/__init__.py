"""Chinese full-text search over the whole archive, exact for any word, on PostgreSQL and
SQLite alike.

- tokens.py: text -> units (CJK characters, words, gaps) and the lexemes built from them
- query.py: what a reader types -> required and excluded terms
- documents.py, index.py: articles -> index entries, kept in step by signals
- backends.py: the index in PostgreSQL (tsvector + GIN) and SQLite (FTS5)
- engine.py: search(): matching, ranking, facets, pages of hits
- highlight.py: titles and snippets with the matched terms in <mark>

The engine only: the search page and its feed are public/search.py. tokens.py and
query.py are plain Python (no Django), so that they can be tested and fuzzed alone; import
the rest from its module (``from bulletins.search.engine import search``). Imports:
facts, caching, models, signals; never public, syndication or admin.
"""
