"""The index in each database: PostgreSQL tsvectors with GIN, SQLite FTS5.

Both answer the same rule (tokens.contains): an article matches when it contains every
required term and no excluded one. engine.py hands a backend the index entries a search
may see (public ones, within the filters) and gets back matches, ranks and first pages.

**PostgreSQL.** Each entry holds, for its title fields, its head (title fields, tags and
source) and the whole document, a tsvector of our own lexemes (tokens.lexemes(), built in
Python, so the server's parser and locale play no part) and the units spaced out
(``*_norm``, tokens.norm()). A term of one word or of up to four CJK characters is one
lexeme, which the GIN index answers exactly on its own; any other term is looked up by
all its lexemes and confirmed by a substring test on ``*_norm`` (no positions needed, so
none of tsvector's limits on them apply). The vectors and texts live out of line
(toast_tuple_target), so the table's own rows stay narrow and a GIN search that needs no
confirmation never reads a vector. A document too large for a tsvector (1 MB) is marked
incomplete and found by the substring test alone (a partial index lists those few).

The planner cannot know that testing a vector row by row means reading it, so queries
over many entries run with sequential and plain index scans off (GIN bitmaps only).

A first page (PostgresIndex.top) first tests the newest few hundred entries one by one,
where a frequent word is found at once, before asking the GIN index about a rare one.

**SQLite.** An FTS5 table with one column per field group holds one token per unit
(tokens.stream()); a term is a phrase of consecutive tokens, its last one a prefix when
it is a lone CJK character. FTS5 keeps positions in its index, so it needs no more.
"""

from dataclasses import replace

from django.db import connections
from django.db.models import BooleanField, Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, ExtractYear

from ..models import SearchDocument
from .tokens import join_fields, lexemes, norm, stream, stream_phrase, term_lexemes

TABLE = "bulletins_searchdocument"
FTS_TABLE = "bulletins_search_fts"
NEWEST = ("-publication_date", "-issue_id", "position")
SORT_COLUMNS = ("publication_date", "issue_id", "position")
# A tsvector may not exceed 1 MB; stay well below (the literal is longer than the value).
MAX_VECTOR_LITERAL = 700_000
# Entries a first page tests row by row, newest first, before it asks the GIN index;
# and how far it walks at most when the rate of matches says more will do.
WINDOW = 400
MAX_WALK = 2000


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _vector(found) -> str:
    return " ".join(map(_quote, sorted(found)))


def _condition(sql: str, params=()) -> RawSQL:
    return RawSQL(sql, list(params), output_field=BooleanField())


class Backend:
    """What both indexes share: ranks and reading every match."""

    def __init__(self, alias: str = "default"):
        self.alias = alias

    def ids(self, entries) -> list[int]:
        return list(entries.values_list("article_id", flat=True))

    def rank(self, query):
        """The rank of an entry as an SQL expression: 2 with every required term in the
        title fields, 1 in title, tags and source together, else 0."""
        if not query.required:
            return Value(0, output_field=IntegerField())
        everything = SearchDocument.objects.using(self.alias)
        return Case(
            When(article_id__in=self._in("title", everything, query).values("article_id"), then=2),
            When(article_id__in=self._in("head", everything, query).values("article_id"), then=1),
            default=0,
            output_field=IntegerField(),
        )

    def _fetch(self, queryset) -> list[tuple]:
        """The first six columns of a _facts() queryset as plain tuples, newest first:
        straight from the cursor, without the ORM's per-row work."""
        sql, params = queryset.query.sql_with_params()
        return self._run(
            sql="SELECT article_id, rank, series_id, source_id, year, tag_ids "
            f"FROM ({sql}) AS found ORDER BY publication_date DESC, issue_id DESC, position",
            params=params,
        )

    def _run(self, queryset=None, sql: str = "", params=()) -> list[tuple]:
        if queryset is not None:
            sql, params = queryset.query.sql_with_params()
        with connections[self.alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _facts(self, entries, query):
        """(id, rank, series, source, year or date, tag ids) of entries, then their sort
        columns (so that a union can be ordered)."""
        return entries.annotate(rank=self.rank(query), year=self.year()).values_list(
            "article_id", "rank", "series_id", "source_id", "year", "tag_ids", *SORT_COLUMNS
        )

    def year(self):
        return F("publication_date")


class PostgresIndex(Backend):
    vendor = "postgresql"

    # Built by migration 0005_search; rebuilt by rebuild_start()/rebuild_end().
    # fastupdate off: no pending list for every search to scan after edits.
    gin_indexes = {
        "bulletins_search_title": "title_vector",
        "bulletins_search_head": "head_vector",
        "bulletins_search_document": "document_vector",
    }

    # --- writing ---

    def row(self, document) -> tuple:
        title = join_fields(document.title_fields)
        head = join_fields(document.title_fields + document.meta_fields)
        every = document.units()
        vector = _vector(lexemes(every))
        complete = len(vector) <= MAX_VECTOR_LITERAL
        return (
            document.article_id,
            document.issue_id,
            document.series_id,
            document.source_id,
            document.publication_date,
            document.position,
            document.tag_ids,
            _vector(lexemes(title)),
            _vector(lexemes(head)),
            vector if complete else "",
            norm(title),
            norm(head),
            norm(every),
            complete,
        )

    def write(self, cursor, documents) -> None:
        cursor.executemany(
            f"""INSERT INTO {TABLE} (article_id, issue_id, series_id, source_id,
                    publication_date, position, tag_ids, title_vector, head_vector,
                    document_vector, title_norm, head_norm, document_norm, complete)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s::tsvector, %s::tsvector,
                    %s::tsvector, %s, %s, %s, %s)
                ON CONFLICT (article_id) DO UPDATE SET
                    issue_id = EXCLUDED.issue_id, series_id = EXCLUDED.series_id,
                    source_id = EXCLUDED.source_id, publication_date = EXCLUDED.publication_date,
                    position = EXCLUDED.position, tag_ids = EXCLUDED.tag_ids,
                    title_vector = EXCLUDED.title_vector, head_vector = EXCLUDED.head_vector,
                    document_vector = EXCLUDED.document_vector,
                    title_norm = EXCLUDED.title_norm, head_norm = EXCLUDED.head_norm,
                    document_norm = EXCLUDED.document_norm, complete = EXCLUDED.complete""",
            [self.row(document) for document in documents],
        )

    def delete(self, cursor, article_ids) -> None:
        """Entries go with their articles (Django cascades the delete); nothing else."""

    def rebuild_start(self, cursor) -> None:
        """Before writing every entry afresh: an empty table without GIN indexes (building
        them once at the end is far faster than updating them row by row)."""
        # Check deferred foreign keys now: PostgreSQL alters no table with pending triggers.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {TABLE}")
        for name in self.gin_indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")

    def rebuild_end(self, cursor) -> None:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, column in self.gin_indexes.items():
            cursor.execute(
                f"CREATE INDEX {name} ON {TABLE} USING gin ({column}) WITH (fastupdate = off)"
            )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares them
        cursor.execute(f"ANALYZE {TABLE}")

    # --- conditions ---

    @staticmethod
    def _lexeme_query(terms, excluded=()) -> str:
        parts = [" & ".join(map(_quote, term_lexemes(t.units)[0])) for t in terms]
        parts += [f"!{_quote(term_lexemes(t.units)[0][0])}" for t in excluded]
        return " & ".join(parts)

    def _indexed(self, field: str, required, excluded=()) -> RawSQL:
        """The GIN test for ``field`` (title, head, document), confirmed by substring tests
        where lexemes alone do not decide. Excluded terms that are one exact lexeme go into
        the tsquery, the others into substring tests."""
        exact_excluded = [t for t in excluded if term_lexemes(t.units)[1]]
        other_excluded = [t for t in excluded if not term_lexemes(t.units)[1]]
        sql = f"{field}_vector @@ %s::tsquery"
        params = [self._lexeme_query(required, exact_excluded)]
        for term in required:
            if not term_lexemes(term.units)[1]:
                sql += f" AND strpos({field}_norm, %s) > 0"
                params.append(norm(term.units))
        for term in other_excluded:
            sql += f" AND strpos({field}_norm, %s) = 0"
            params.append(norm(term.units))
        return _condition(sql, params)

    @staticmethod
    def _substrings(field: str, required, excluded=()) -> RawSQL:
        """The rule itself, row by row: for a few rows (a window, the long documents)."""
        tests = [f"strpos({field}_norm, %s) > 0" for _ in required]
        tests += [f"strpos({field}_norm, %s) = 0" for _ in excluded]
        params = [norm(t.units) for t in list(required) + list(excluded)]
        return _condition(" AND ".join(tests) or "TRUE", params)

    def _matching(self, entries, query):
        """(entries found through GIN, long entries found by substring tests)."""
        long = entries.filter(_condition("NOT complete")).filter(
            self._substrings("document", query.required, query.excluded)
        )
        if not query.required:  # exclusions only: everything but what any of them finds
            everything = entries.model.objects.using(self.alias)
            found = []
            for term in query.excluded:
                alone = replace(query, required=(term,), excluded=())
                found += self._gin(self._matching(everything, alone))
            return entries.exclude(article_id__in=_id_list(found)), entries.none()
        indexed = entries.filter(_condition("complete")).filter(
            self._indexed("document", query.required, query.excluded)
        )
        return indexed, long

    def _in(self, field: str, entries, query):
        return entries.filter(self._indexed(field, query.required))

    def _gin(self, parts) -> list[int]:
        """Article ids of the entries in ``parts``, through GIN bitmaps only, in one query."""
        first, *others = [part.values_list("article_id") for part in parts]
        return [pk for (pk,) in self._run(first.union(*others, all=True))]

    # Set for one statement and reset after it, in the same round trip: GIN bitmaps only
    # (the planner cannot know that testing a vector row by row means reading it) and no
    # parallel workers (starting them costs more than these queries take).
    _settings = ("enable_seqscan", "enable_indexscan", "max_parallel_workers_per_gather")

    def _run(self, queryset=None, sql: str = "", params=()) -> list[tuple]:
        """The rows of a query (a queryset, or SQL), planned with _settings off."""
        if queryset is not None:
            sql, params = queryset.query.sql_with_params()
        before = "".join(f"SET LOCAL {name} = 0; " for name in self._settings)
        after = "".join(f"; RESET {name}" for name in self._settings)
        with connections[self.alias].cursor() as cursor:
            cursor.execute(before + sql + after, params)
            for _ in self._settings:  # past the SETs' empty results, to the query's
                cursor.nextset()
            return cursor.fetchall()

    # --- what engine.py asks ---

    def match_subquery(self, entries, query):
        """Something ``pk__in=`` takes: the ids of the matching entries."""
        return _id_list(self._gin(self._matching(entries, query)))

    def rows(self, entries, query) -> list[tuple]:
        """(id, rank, series, source, year, tag ids) of every match, newest first."""
        indexed, long = self._matching(entries, query)
        return self._fetch(self._facts(indexed, query).union(self._facts(long, query), all=True))

    def year(self):
        return Cast(ExtractYear("publication_date"), IntegerField())

    def top(self, entries, query, order: str, limit: int) -> list[tuple[int, int]]:
        """(id, rank) of the first ``limit`` results.

        The newest few hundred entries are tested first, one by one: a frequent word has
        its first page there. Where a rank is short of results, a little more is walked
        when the rate found so far says that will do, else the GIN index is asked for
        that rank's newest entries (a rare word has few).
        """
        walk = _Walk(self, entries, query)
        walk.extend(WINDOW)
        ranks = (None,) if order == "date" or not query.required else (2, 1, 0)
        result: list[tuple[int, int]] = []
        for rank in ranks:
            need = limit - len(result)
            if need <= 0:
                break
            here = walk.found(rank)
            while len(here) < need and not walk.exhausted:
                more = walk.rows_for(need - len(here), len(here))
                if not more:
                    break
                walk.extend(more)
                here = walk.found(rank)
            if len(here) >= need or walk.exhausted:
                result += here[:need]
            else:
                result += self._newest_of_rank(rank, entries, query, need)
        return result

    def _walk_rows(self, entries, query, start: int, stop: int) -> list[tuple[int, int]]:
        """(id, rank, or -1 where it does not match) of entries start … stop-1, newest
        first, by substring tests row by row."""
        stretch = entries.order_by(*NEWEST).values("article_id")[start:stop]
        rank = self._rank_here(query, unless_absent=True)
        return list(
            entries.filter(article_id__in=stretch).order_by(*NEWEST).values_list("article_id", rank)
        )

    def _newest_of_rank(self, rank, entries, query, limit: int) -> list[tuple[int, int]]:
        """The newest ``limit`` matches of that rank (None: of any), through GIN."""
        columns = ("article_id", "publication_date", "issue_id", "position")
        if rank is None:
            indexed, long = self._matching(entries, query)
            found = indexed.values_list(*columns).union(long.values_list(*columns), all=True)
        else:
            found = self._of_rank(rank, entries, query).values_list(*columns)
        ids = [row[0] for row in self._run(found.order_by(*NEWEST)[:limit])]
        return self.ranks_of(entries, query, ids) if rank is None else [(pk, rank) for pk in ids]

    def _of_rank(self, rank: int, entries, query):
        excluded_ok = self._substrings("document", (), query.excluded)
        if rank == 2:
            return self._in("title", entries, query).filter(excluded_ok)
        title = self._in("title", entries.model.objects.using(self.alias), query)
        if rank == 1:
            head = self._in("head", entries, query).filter(excluded_ok)
            return head.exclude(article_id__in=title.values("article_id"))
        head = self._in("head", entries.model.objects.using(self.alias), query)
        not_head = ~Q(article_id__in=head.values("article_id"))
        indexed, long = self._matching(entries, query)
        return indexed.filter(not_head).union(long.filter(not_head), all=True)

    def _rank_here(self, query, unless_absent: bool = False) -> RawSQL:
        """The rank, by substring tests row by row (for a few rows); with ``unless_absent``
        -1 for a row that does not match at all (its title is then never read)."""
        if query.required:
            title = self._substrings("title", query.required)
            head = self._substrings("head", query.required)
            sql = f"CASE WHEN {title.sql} THEN 2 WHEN {head.sql} THEN 1 ELSE 0 END"
            params = list(title.params) + list(head.params)
        else:
            sql, params = "0", []
        if unless_absent:
            match = self._substrings("document", query.required, query.excluded)
            sql = f"CASE WHEN {match.sql} THEN {sql} ELSE -1 END"
            params = list(match.params) + params
        return RawSQL(sql, params, output_field=IntegerField())

    def ranks_of(self, entries, query, ids) -> list[tuple[int, int]]:
        """(id, rank) for these ids, in this order."""
        ranks = dict(
            entries.model.objects.using(self.alias)
            .filter(article_id__in=ids)
            .values_list("article_id", self._rank_here(query))
        )
        return [(pk, ranks.get(pk, 0)) for pk in ids]

    def size(self) -> dict:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size(%s), pg_relation_size(%s), "
                "pg_total_relation_size(%s) - pg_relation_size(%s) - pg_indexes_size(%s), "
                "pg_relation_size('bulletins_search_document'), "
                "pg_relation_size('bulletins_search_head') "
                "+ pg_relation_size('bulletins_search_title')",
                [TABLE] * 5,
            )
            total, rows, toast, document, head = cursor.fetchone()
        return {
            "everything": total,
            "table rows": rows,
            "vectors and texts (TOAST)": toast,
            "GIN document": document,
            "GIN title and head": head,
        }


class _Walk:
    """Entries in newest-first order, tested row by row a stretch at a time: what a first
    page needs of a frequent word."""

    def __init__(self, backend, entries, query):
        self.backend, self.entries, self.query = backend, entries, query
        self.seen: list[tuple[int, int]] = []  # (id, rank or -1 when it does not match)
        self.exhausted = False

    def extend(self, count: int) -> None:
        start = len(self.seen)
        rows = self.backend._walk_rows(self.entries, self.query, start, start + count)
        self.seen += rows
        self.exhausted = len(rows) < count

    def found(self, rank=None) -> list[tuple[int, int]]:
        """Matches seen so far, of that rank (None: of any)."""
        return [(pk, r) for pk, r in self.seen if r >= 0 and (rank is None or r == rank)]

    def rows_for(self, missing: int, found: int) -> int:
        """How many more rows should give ``missing`` more, at the rate ``found`` of those
        seen so far; 0 when that is too many (the GIN index will be quicker)."""
        if not found:
            return 0
        more = -(-missing * len(self.seen) * 3 // (found * 2))  # the rate, with a margin
        return more if len(self.seen) + more <= MAX_WALK else 0


def _id_list(ids) -> RawSQL:
    """A list of ids as one SQL array parameter (``pk__in=``), however long it is."""
    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])


class SqliteIndex(Backend):
    vendor = "sqlite"

    # Migration 0005_search makes the FTS5 table: fts5(title, meta, body,
    # tokenize = 'ascii', prefix = '1'). 'ascii' splits on ASCII spaces and punctuation
    # only, which is exactly where the stream separates its tokens; prefix = '1' serves
    # a lone CJK character.

    # --- writing ---

    def write(self, cursor, documents) -> None:
        documents = list(documents)
        cursor.executemany(
            f"""INSERT INTO {TABLE} (article_id, issue_id, series_id, source_id,
                    publication_date, position, tag_ids)
                VALUES (%s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (article_id) DO UPDATE SET
                    issue_id = excluded.issue_id, series_id = excluded.series_id,
                    source_id = excluded.source_id, publication_date = excluded.publication_date,
                    position = excluded.position, tag_ids = excluded.tag_ids""",
            [
                (
                    d.article_id,
                    d.issue_id,
                    d.series_id,
                    d.source_id,
                    d.publication_date,
                    d.position,
                    d.tag_ids,
                )
                for d in documents
            ],
        )
        self.delete(cursor, [d.article_id for d in documents])
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, title, meta, body) VALUES (%s, %s, %s, %s)",
            [
                (
                    d.article_id,
                    stream(join_fields(d.title_fields)),
                    stream(join_fields(d.meta_fields)),
                    stream(join_fields([d.body])),
                )
                for d in documents
            ],
        )

    def delete(self, cursor, article_ids) -> None:
        article_ids = list(article_ids)
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)

    def rebuild_start(self, cursor) -> None:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"DELETE FROM {FTS_TABLE}")

    def rebuild_end(self, cursor) -> None:
        cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")

    # --- conditions ---

    @staticmethod
    def _phrase(term) -> str:
        tokens, prefix = stream_phrase(term.units)
        return f'"{tokens}"' + (" *" if prefix else "")

    def _all(self, terms) -> str:
        return " AND ".join(self._phrase(term) for term in terms)

    def _matching_rows(self, expression: str) -> RawSQL:
        return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])

    def _match(self, query) -> Q:
        condition = Q()
        if query.required:
            condition &= Q(article_id__in=self._matching_rows(self._all(query.required)))
        if query.excluded:
            excluded = " OR ".join(self._phrase(term) for term in query.excluded)
            condition &= ~Q(article_id__in=self._matching_rows(excluded))
        return condition

    _columns = {"title": "title", "head": "title meta"}

    def _in(self, field: str, entries, query):
        """Entries with every required term in ``field`` (title: the title fields; head:
        title fields, tags and source)."""
        expression = "{" + self._columns[field] + "} : (" + self._all(query.required) + ")"
        return entries.filter(article_id__in=self._matching_rows(expression))

    # --- what engine.py asks ---

    def match_subquery(self, entries, query):
        return entries.filter(self._match(query)).values("article_id")

    def rows(self, entries, query) -> list[tuple]:
        """(id, rank, series, source, date, tag ids) of every match, newest first."""
        return self._fetch(self._facts(entries.filter(self._match(query)), query))

    def top(self, entries, query, order: str, limit: int) -> list[tuple[int, int]]:
        """(id, rank) of the first ``limit`` results, rank by rank, newest first within.

        FTS5 lists a term's rows fast but tests given rows slowly (a seek for each), so
        unlike PostgreSQL this asks the index straight away.
        """
        matching = entries.filter(self._match(query)).order_by(*NEWEST)
        if order == "date" or not query.required:
            return self.ranks_of(entries, query, self.ids(matching[:limit]))
        in_title = Q(article_id__in=self._in("title", entries, query).values("article_id"))
        in_head = Q(article_id__in=self._in("head", entries, query).values("article_id"))
        result: list[tuple[int, int]] = []
        for rank, of_rank in (
            (2, matching.filter(in_title)),
            (1, matching.filter(in_head).exclude(in_title)),
            (0, matching.exclude(in_head)),
        ):
            if len(result) < limit:
                result += [(pk, rank) for pk in self.ids(of_rank[: limit - len(result)])]
        return result

    def ranks_of(self, entries, query, ids) -> list[tuple[int, int]]:
        if not query.required or not ids:
            return [(pk, 0) for pk in ids]
        few = entries.model.objects.using(self.alias).filter(article_id__in=ids)
        ranks = dict(few.values_list("article_id", self.rank(query)))
        return [(pk, ranks.get(pk, 0)) for pk in ids]

    def size(self) -> dict:
        with connections[self.alias].cursor() as cursor:
            try:
                cursor.execute(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE %s OR name = %s",
                    [FTS_TABLE + "%", TABLE],
                )
            except Exception:  # SQLite built without the dbstat table
                return {}
            (total,) = cursor.fetchone()
        return {"FTS5 tables and entries": total}


def for_alias(alias: str = "default"):
    """The index of the database ``alias``."""
    vendor = connections[alias].vendor
    return (PostgresIndex if vendor == "postgresql" else SqliteIndex)(alias)
