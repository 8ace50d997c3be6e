"""After content changed in bulk (a restore, a large import): make everything derived agree.

Pages, counts and list orders are keyed by the content version, so a bump retires them;
the search index is rebuilt from the articles.
"""

from ..caching import version
from ..search import index as search_index


def content_restored() -> None:
    search_index.rebuild()
    version.bump()
