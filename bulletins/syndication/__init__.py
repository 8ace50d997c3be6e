"""Following the archive: RSS and Atom feeds, the feed catalogue and OPML, sitemaps and
robots.txt. Every item starts from ``.published()``.

- feeds.py      the feeds (Django's syndication framework; items' XML kept per version)
- items.py      an item's full-text HTML
- catalogue.py  every feed with its addresses (the /feeds/ page, OPML, page links)
- opml.py       /feeds/subscriptions.opml
- sitemaps.py   /sitemap.xml and its sections, /robots.txt

Imports: facts, caching, models, text, permalinks; never public.
"""
