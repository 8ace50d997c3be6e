#!/usr/bin/env python
"""Load test: readers and feed pollers hammer a production-configured server; no errors.

    .venv/bin/python bench/loadtest.py                  # 64 connections for 30 s
    .venv/bin/python bench/loadtest.py --seconds 5      # a smoke run
    .venv/bin/python bench/loadtest.py --editor drafts --edit-every 2      # an editor at work
    .venv/bin/python bench/loadtest.py --editor published --edit-every 10  # corrections
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_archive .venv/bin/python \\
        bench/loadtest.py --articles 10000

It builds an archive (bench/archive.py; a temporary SQLite file unless DATABASE_URL names a
database whose name contains "bench"), starts gunicorn on 127.0.0.1 with the production
settings (page cache on, as deployed; --uncached turns it off) and drives one bounded,
self-stopping load at once across the home page, an issue, an article, a filtered list,
search and the feeds, each connection taking the pages in turn (wrk when installed, else
bench/load.py's Python client). URLs that answer 404 are features not built yet: they are
left out, and the report says so. It reports throughput and p50/p99 latency, writes JSON
to bench/results/ and exits 1 if any request failed.

--editor drafts saves a draft issue every --edit-every seconds during the load (readers
should not notice: drafts change no public page); --editor published corrects a
published article's title instead (every public page changes: caches are rebuilt).
"""

import argparse
import datetime
import json
import math
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import load, run  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--articles", type=int, default=1000, help="public articles")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--uncached", action="store_true", help="page cache off")
    parser.add_argument("--load", choices=["wrk", "python"], help="load generator to use")
    parser.add_argument("--cache-url", help=f"shared cache (default {run.REDIS_URL} or a file)")
    parser.add_argument("--reuse", action="store_true", help="keep an archive of that size")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--editor",
        choices=["none", "drafts", "published"],
        default="none",
        help="an editor saving during the load: a draft, or a correction to a published article",
    )
    parser.add_argument("--edit-every", type=float, default=2.0, help="seconds between saves")
    args = parser.parse_args()
    if args.load:
        load.GENERATOR = args.load
    return args


def candidate_pages() -> list[tuple[str, str]]:
    """(name, path) of what readers and feed readers ask for, picked from the archive."""
    from django.db.models import Count

    from bulletins.models import Article, Issue, Tag
    from bulletins.public.views import ARTICLES_PER_PAGE

    issues = Issue.objects.published().order_by("-publication_date")
    articles = Article.objects.published().order_by("pk")
    count = articles.count()
    tag = Tag.objects.annotate(n=Count("articles")).order_by("-n").first()
    year = issues[issues.count() // 2].publication_date.year
    series = issues.first().series
    return [
        ("home", "/"),
        ("issue", issues[issues.count() // 2].get_absolute_url()),
        ("article", articles[count // 2].get_absolute_url()),
        ("articles", "/articles/"),
        ("articles deep", f"/articles/?page={max(1, math.ceil(count / ARTICLES_PER_PAGE) // 2)}"),
        ("articles filter", f"/articles/?series={series.slug}&tag={tag.slug}&year={year}"),
        ("search", "/search/?q=%E5%8C%BB%E4%BF%9D"),  # 医保
        ("feeds", "/feeds/"),
        ("feed issues", "/feeds/issues/"),
        ("feed articles", "/feeds/articles/atom/"),
        ("feed series", f"/issues/{series.slug}/feed/"),
        ("feed tag", f"{tag.get_absolute_url()}feed/"),
        ("sitemap", "/sitemap.xml"),
    ]


class Editor(threading.Thread):
    """Saves through the ORM, as the admin would, every ``every`` seconds until stopped."""

    def __init__(self, kind: str, every: float):
        super().__init__(daemon=True)
        self.kind, self.every, self.saves = kind, every, 0
        self.stopped = threading.Event()

    def run(self):
        from django.db import connection

        from bulletins.models import Article, Issue, Series

        if self.kind == "drafts":
            series = Series.objects.get(slug="weekly")
            latest = Issue.objects.filter(series=series).order_by("-number").first()
            target = Issue.objects.create(
                series=series,
                number=latest.number + 1,
                status=Issue.Status.DRAFT,
                publication_date=latest.publication_date,
                intro="编辑中的导语",
            )
        else:
            target = Article.objects.published().order_by("-pk").first()
        try:
            while not self.stopped.wait(self.every):
                if self.kind == "drafts":
                    target.intro = f"编辑中的导语（第 {self.saves + 1} 次保存）"
                else:
                    target.title = f"{target.title.split('（更正')[0]}（更正 {self.saves + 1}）"
                target.save()
                self.saves += 1
        finally:
            if self.kind == "drafts":
                target.delete()
            connection.close()


def check_pages(server, pages) -> tuple[list, list]:
    """The pages that answer 200; those that answer 404 (not built yet) are left out.

    Anything else is an error before the load starts.
    """
    loaded, missing = [], []
    for name, path in pages:
        status, _ = run.fetch(server.base + path)
        if status == 404:
            missing.append((name, path))
        elif status == 200:
            loaded.append((name, path))
            load.run_python(server.base + path, 0.2, 2)  # warm every worker
        else:
            raise RuntimeError(f"{path} answered {status} before the load")
    return loaded, missing


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    env = run.configure(args, workdir)
    env["PAGE_CACHE_SECONDS"] = "0" if args.uncached else "600"
    os.environ["PAGE_CACHE_SECONDS"] = env["PAGE_CACHE_SECONDS"]
    created = run.ensure_postgres_database(env["DATABASE_URL"])
    try:
        run.prepare(args)
        pages = candidate_pages()
        from django.db import connection

        connection.close()
        with run.Gunicorn(env, args.workers, workdir / "gunicorn.log") as server:
            loaded, missing = check_pages(server, pages)
            for name, path in missing:
                print(f"  skipped {name:16} {path} (404: not built yet)")
            print(
                f"Load: {load.available()}, {args.connections} connections, {args.seconds:g} s, "
                f"{len(loaded)} pages in turn, page cache {'off' if args.uncached else 'on'}",
                flush=True,
            )
            editor = Editor(args.editor, args.edit_every) if args.editor != "none" else None
            if editor:
                editor.start()
            result = load.run_mixed(
                server.base, [path for _, path in loaded], args.seconds, args.connections
            )
            if editor:
                editor.stopped.set()
                editor.join()
                print(f"  the editor saved {editor.saves} times ({args.editor})")
            rss = server.peak_rss_mb()
    except BaseException:
        for log in workdir.glob("*.log"):
            print(log.read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        run.cleanup(args, env, workdir, created)
    report = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "articles": args.articles,
        "database": env["DATABASE_URL"].split(":", 1)[0],
        "cache": env["CACHE_URL"].split("://", 1)[0],
        "page_cache": not args.uncached,
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "load_generator": load.available(),
        "pages": dict(loaded),
        "skipped": dict(missing),
        "worker_peak_rss_mb": rss,
        "editor": args.editor,
        "edit_every": args.edit_every if args.editor != "none" else None,
        "commit": run.git_commit(),
        **result,
    }
    print(
        f"{result['requests']} requests, {result['rps']:.1f} req/s, "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"errors {result['errors']}"
    )
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"loadtest-{report['date'].replace(':', '')}-{report['database']}.json"
    (run.RESULTS / name).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"Written to {run.RESULTS / name}")
    if result["errors"]:
        print(f"FAILED: {result['errors']} requests failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    print(f"({time.perf_counter() - started:.0f} s in all)")
    sys.exit(status)
