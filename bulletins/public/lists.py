"""Pages of long public lists without an OFFSET scan or a COUNT(*) on every request.

The first request for a list under a content version runs one narrow query for the
ordered primary keys and stores them in the shared cache, in blocks, with the count.
Every page then reads one block and loads its own rows by primary key: page 5,000 of a
100,000-article list costs what page 1 costs.
"""

import hashlib

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from ..caching import memo

BLOCK_PAGES = 250


def list_key(request) -> str:
    """What identifies a list: its path and every query parameter except the page."""
    params = sorted(
        (name, value) for name, values in request.GET.lists() if name != "page" for value in values
    )
    raw = f"{request.path}?{params!r}"
    return "list:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


class VersionedPaginator(Paginator):
    """A Paginator over a QuerySet whose order and count are kept per content version.

    ``key`` must name the list: equal keys must mean equal querysets (see list_key()).
    """

    def __init__(self, object_list, per_page, *, key: str, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.key = key
        # rows(ids) loads a page's objects by primary key; the list's filters (and their
        # joins, which can mislead the query planner) already chose those ids.
        self.rows = rows or (lambda ids: self.object_list.filter(pk__in=ids))
        self.block_size = self.per_page * BLOCK_PAGES
        self._computed = None

    @cached_property
    def count(self) -> int:
        return memo.remember(f"{self.key}:count", lambda: len(self._compute()))

    def _compute(self) -> list:
        """All primary keys in list order; stored in blocks for the current version."""
        if self._computed is None:
            ids = list(self.object_list.prefetch_related(None).values_list("pk", flat=True))
            blocks = {
                f"{self.key}:{start // self.block_size}": ids[start : start + self.block_size]
                for start in range(0, len(ids), self.block_size)
            }
            memo.set_many(blocks)
            self._computed = ids
        return self._computed

    def _ids(self, start: int, stop: int) -> list:
        block_no = start // self.block_size
        offset = block_no * self.block_size
        block = memo.get_many([f"{self.key}:{block_no}"]).get(f"{self.key}:{block_no}")
        if block is None:  # evicted, or the count was computed by an older process
            block = self._compute()[offset : offset + self.block_size]
        return block[start - offset : stop - offset]

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        ids = self._ids(start, start + self.per_page) if self.count else []
        position = {pk: i for i, pk in enumerate(ids)}
        rows = sorted(self.rows(ids), key=lambda row: position[row.pk]) if ids else []
        return self._get_page(rows, number, self)
