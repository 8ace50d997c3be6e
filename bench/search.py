#!/usr/bin/env python
"""Benchmark full-text search: index build, index size, exactness and query latency.

    .venv/bin/python bench/search.py --articles 2000            # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/search_bench \\
        .venv/bin/python bench/search.py                        # 100,000 articles
    … --reuse      keep an archive of that size that is already there (index it again)

It builds an archive of N public articles (bench/archive.py: Chinese policy news from the
demo stories) in the configured database (whose name must contain "bench"; a missing
PostgreSQL database is created), rebuilds the search index and then, for a fixed set of
queries (one- and two-character words, long words, fragments, Latin words, mixed text,
several words, phrases, exclusions, no match), prints:

- recall and precision of the results against a plain scan of every public article in
  Python (the folded text, fields kept apart; a substring test for each term);
- the median and p95 of: the count (one pass over every match: what the results page
  needs for its count and facets), the first page newest first and the first page by
  relevance (Search.top(), without the count), each computed afresh.

This is a benchmark, not a test: it asserts nothing. The machine it runs on may be busy.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = [
    ("1 character", "医"),
    ("1 character", "链"),
    ("1 character, rare", "癌"),
    ("2 characters", "医保"),
    ("2 characters", "算力"),
    ("2 characters", "病历"),
    ("long word", "互联网医院"),
    ("long word", "检查检验结果"),
    ("long word", "医疗健康数据要素"),
    ("fragment", "联网医"),
    ("fragment", "据要"),
    ("fragment", "能辅助诊"),
    ("Latin", "5G"),
    ("Latin, full width", "５Ｇ"),
    ("mixed", "5G急救车"),
    ("several words", "医保 人工智能"),
    ("several words", "北京市 互联网医院 复诊"),
    ("phrase", '"据介绍 移动支付"'),
    ("phrase", '"互联网医院 复诊"'),
    ("exclusion", "医保 -人工智能"),
    ("exclusion", "人工智能 -医保 -数据安全"),
    ("no match", "量子计算"),
    ("no match, common pairs", "智能人工"),
    ("no match, common words", "医保 区块链 算力"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000, help="public articles")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query and measure")
    parser.add_argument("--reuse", action="store_true", help="keep an archive of that size")
    parser.add_argument(
        "--keep-index", action="store_true", help="with --reuse: do not rebuild the index"
    )
    return parser.parse_args()


def configure(workdir: Path) -> str:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'search-bench.db'}"
    if "bench" not in database_url.rsplit("/", 1)[-1]:
        sys.exit(f"Refusing to replace the content of {database_url}: its name lacks 'bench'.")
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="site_config.settings.dev",
        DEBUG="0",
        CACHE_URL="locmem://",
        LOG_LEVEL="WARNING",
    )
    if database_url.startswith("postgres"):
        from bench.run import ensure_postgres_database

        ensure_postgres_database(database_url)
    return database_url


def prepare(args):
    import django
    from django.core.management import call_command

    django.setup()
    from bench import archive
    from bulletins.models import Article

    call_command("migrate", verbosity=0)
    if args.reuse and Article.objects.published().count() == args.articles:
        print(f"Reusing the archive of {args.articles} articles.")
    else:
        print(f"Building an archive of {args.articles} articles …")
        archive.build(args.articles, log=print)


def build_index() -> dict:
    from bulletins.search import backends, index

    started = time.perf_counter()
    total = index.rebuild()
    seconds = time.perf_counter() - started
    return {"articles": total, "seconds": seconds, "size": backends.for_alias().size()}


def reference_texts() -> dict:
    """Article id -> (folded text of its fields, one per line; its units spaced out)."""
    from bulletins.models import Article
    from bulletins.search import documents
    from bulletins.search.tokens import fold, norm

    ids = list(Article.objects.published().values_list("pk", flat=True))
    texts = {}
    for start in range(0, len(ids), 2000):
        for d in documents.load(ids[start : start + 2000]):
            fields = d.title_fields + d.meta_fields + [d.body]
            texts[d.article_id] = (fold("\n".join(fields)), norm(d.units()))
    return texts


def needle(term):
    """What a scan looks for: the term's characters in the folded text when it is Chinese
    only (a plain substring test); its units in the spaced-out units when it holds words
    or punctuation (words match whole, punctuation any punctuation)."""
    from bulletins.search.tokens import is_cjk, norm

    if all(is_cjk(unit) for unit in term.units):
        return 0, "".join(term.units)
    return 1, norm(term.units)


def expected(texts: dict, parsed) -> set:
    required = [needle(term) for term in parsed.required]
    excluded = [needle(term) for term in parsed.excluded]
    return {
        pk
        for pk, text in texts.items()
        if all(t in text[i] for i, t in required) and not any(t in text[i] for i, t in excluded)
    }


def timed(function, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = configure(Path(workdir))
        prepare(args)
        from django.db import connection

        from bulletins.search.engine import Search
        from bulletins.search.query import parse

        print(f"Database: {connection.vendor} ({url.rsplit('/', 1)[-1]})")
        if args.keep_index:
            from bulletins.search import backends

            built = {"size": backends.for_alias().size()}
            print("Index kept from an earlier run.")
        else:
            print("Indexing …")
            built = build_index()
            print(f"  {built['articles']} articles indexed in {built['seconds']:.1f} s")
        for name, size in built["size"].items():
            print(f"  {name}: {size / 2**20:.1f} MiB")
        print("Reading every public article for the reference scan …")
        texts = reference_texts()
        warm = Search("医").facets  # names for facets: derived data, kept per content version
        assert warm is not None

        header = (
            f"{'kind':<24} {'query':<22} {'found':>6} {'recall':>6} {'prec.':>6}"
            f" {'count ms':>15} {'newest p1 ms':>15} {'ranked p1 ms':>15}"
        )
        print("\nmedian / p95 over", args.runs, "runs each, nothing kept between runs")
        print(header)
        print("-" * len(header))
        worst = {"count": 0.0, "newest": 0.0, "ranked": 0.0}
        exact = True
        for kind, text in QUERIES:
            parsed = parse(text)
            truth = expected(texts, parsed)
            fresh = partial(Search, parsed, cached=False)
            count_times, count = timed(lambda f=fresh: f().count, args.runs)
            found = set(fresh().ids("date"))
            newest_times, newest = timed(lambda f=fresh: f().top("date", 20), args.runs)
            ranked_times, ranked = timed(lambda f=fresh: f().top("relevance", 20), args.runs)
            recall = len(found & truth) / len(truth) if truth else 1.0
            precision = len(found & truth) / len(found) if found else 1.0
            first_ranked = [pk for pk, _ in ranked]
            exact &= found == truth and count == len(truth)
            exact &= first_ranked == fresh().ids("relevance")[:20]
            exact &= [pk for pk, _ in newest] == fresh().ids("date")[:20]
            cells = []
            for name, times in (
                ("count", count_times),
                ("newest", newest_times),
                ("ranked", ranked_times),
            ):
                worst[name] = max(worst[name], p95(times))
                cells.append(f"{statistics.median(times):>7.1f} /{p95(times):>6.1f}")
            print(
                f"{kind:<24} {text:<22} {len(found):>6} {recall:>6.2f} {precision:>6.2f} "
                + " ".join(f"{cell:>15}" for cell in cells)
            )
        print("-" * len(header))
        print(
            f"worst p95: count {worst['count']:.1f} ms, newest first page "
            f"{worst['newest']:.1f} ms, ranked first page {worst['ranked']:.1f} ms"
        )
        print(
            "every result set, count and first page equal to the reference scan:",
            "yes" if exact else "NO",
        )


if __name__ == "__main__":
    main()
