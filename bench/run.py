#!/usr/bin/env python
"""Benchmark every public page against the framework's floor, uncached and cached.

    .venv/bin/python bench/run.py --articles 1000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_archive \\
        .venv/bin/python bench/run.py --articles 100000 --keep-db
    .venv/bin/python bench/run.py --quick          # CI smoke run, under a minute

It builds an archive of the given size (a temporary SQLite file unless DATABASE_URL names
a database whose name contains "bench"; a missing PostgreSQL bench database is created),
starts gunicorn on 127.0.0.1 with the production settings (sync workers, one per core),
and drives each page with a bounded load generator (wrk, or a Python client without it):
first with the page cache off, then with it warm. It prints a table and writes JSON to
bench/results/: requests per second, p50/p99 latency, the ratio to the floor measured in
the same run, queries per request and the peak memory of a worker.

"Uncached" means the whole-page cache is off; what each process keeps per content version
(derived data, objects and fragments) is warm after the first request, as it is for every
reader but the first after an edit. That first request's time and queries are the
"first" and "q …/after" columns: measured just after a content change.
"""

import argparse
import datetime
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402

RESULTS = ROOT / "bench" / "results"
REDIS_URL = "redis://127.0.0.1:6379/13"

# The issue's targets: uncached throughput as a share of the floor's; cached pages 0.5.
UNCACHED_TARGETS = {
    "article": 0.25,
    "issue": 0.12,
    "articles p1": 0.12,
    "articles deep": 0.12,
    "articles filter": 0.12,
    "tag": 0.12,
    "source": 0.12,
    "feed issues": 0.06,
    "feed articles": 0.06,
    "304": 0.6,
}
CACHED_TARGET = 0.5


@dataclass
class Page:
    name: str
    path: str
    conditional: bool = False
    headers: dict = field(default_factory=dict)
    queries: int | None = None
    queries_after_change: int | None = None
    queries_cached: int | None = None
    after_change_ms: float | None = None
    uncached: dict | None = None
    cached: dict | None = None
    floor_rps: float | None = None


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, help="public articles in the archive")
    parser.add_argument("--seconds", type=float, help="load per page and phase (default 8)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="small archive, 1 s per page")
    parser.add_argument("--reuse", action="store_true", help="keep an archive of that size")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--cache-url", help=f"shared cache (default {REDIS_URL} or a file)")
    parser.add_argument("--load", choices=["wrk", "python"], help="load generator to use")
    parser.add_argument("--only", help="comma-separated page names to load (all by default)")
    args = parser.parse_args()
    args.articles = args.articles or (300 if args.quick else 1000)
    args.seconds = args.seconds or (1.0 if args.quick else 8.0)
    if args.load:
        load.GENERATOR = args.load
    return args


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def configure(args, workdir: Path) -> dict:
    """The environment for this process and the servers: production settings, plain HTTP."""
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if "bench" not in database_url.rsplit("/", 1)[-1]:
        sys.exit(f"Refusing to replace the content of {database_url}: its name lacks 'bench'.")
    cache_url = args.cache_url or (
        REDIS_URL if redis_reachable() else f"file://{workdir / 'cache'}"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "LOG_LEVEL": "WARNING",
        "PAGE_CACHE_SECONDS": "0",
    }
    os.environ.update(env)
    return {**os.environ, **env}


def ensure_postgres_database(url: str) -> bool:
    """Create the bench database when missing; True if this run created it."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return False
    params = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
    return not exists


def drop_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    params = {"host": config["HOST"], "port": config["PORT"] or None, "user": config["USER"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')


def prepare(args) -> None:
    """Migrate, collect static files and build the archive (unless --reuse finds it)."""
    import django
    from django.core.management import call_command

    django.setup()
    from bench import archive
    from bulletins.models import Article

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if args.reuse and Article.objects.published().count() == args.articles:
        print(f"Reusing the archive of {args.articles} articles.")
        return
    started = time.perf_counter()
    print(f"Building an archive of {args.articles} articles …")
    archive.build(args.articles, log=print)
    reindex_search()
    print(f"  built in {time.perf_counter() - started:.1f} s")


def reindex_search() -> None:
    """Bulk inserts bypass signals; let the search backend catch up if there is one."""
    from django.core.management import call_command, get_commands

    for name in ("rebuild_search_index", "update_search_index", "search_index"):
        if name in get_commands():
            call_command(name, verbosity=0)
            return


def choose_pages() -> list[Page]:
    """The pages to measure, picked from the archive just built."""
    from django.db.models import Count
    from django.urls import Resolver404, resolve

    from bulletins.models import Article, Issue, Source, Tag
    from bulletins.public.views import ARTICLES_PER_PAGE

    issues = Issue.objects.published().order_by("-publication_date")
    articles = Article.objects.published().order_by("pk")
    count = articles.count()
    middle_issue = issues[issues.count() // 2]
    middle_article = articles[count // 2]
    deep = max(1, math.ceil(count / ARTICLES_PER_PAGE) * 9 // 10)
    tag = Tag.objects.annotate(n=Count("articles")).order_by("-n").first()
    source = Source.objects.annotate(n=Count("articles")).order_by("-n").first()
    weekly_years = sorted(
        {d.year for d in issues.filter(series__slug="weekly").dates("publication_date", "year")}
    )
    year = weekly_years[len(weekly_years) // 2]

    def exists(path):
        try:
            resolve(path)
            return True
        except Resolver404:
            return False

    pages = [
        Page("floor", "/bench/floor/"),
        Page("home", "/"),
        Page("issue", middle_issue.get_absolute_url()),
        Page("article", middle_article.get_absolute_url()),
        Page("articles p1", "/articles/"),
        Page("articles deep", f"/articles/?page={deep}"),
        Page("articles filter", f"/articles/?series=weekly&tag={tag.slug}&year={year}"),
        Page("tag", tag.get_absolute_url()),
        Page("source", source.get_absolute_url()),
    ]
    if exists("/search/"):
        pages.append(Page("search", "/search/?q=%E5%8C%BB%E4%BF%9D"))  # 医保
    if exists("/feeds/issues/"):
        pages.append(Page("feed issues", "/feeds/issues/"))
    if exists("/feeds/articles/"):
        pages.append(Page("feed articles", "/feeds/articles/"))
    pages.append(Page("304", "/", conditional=True))
    return pages


def count_queries(pages: list[Page]) -> None:
    """Queries per request, in process: the first request after a content change (which
    recomputes derived data), every later one, and one with the page cache warm."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bulletins.caching import version

    client = Client(HTTP_HOST="127.0.0.1")
    for page in pages:  # first, so that one-off start-up queries are not counted
        client.get(page.path)
    for page in pages:
        cache.clear()  # as after an edit: a new content version, no derived data yet
        version.bump()  # (the editor's save records it, outside the measured request)
        with override_settings(PAGE_CACHE_SECONDS=0), CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(page.path)
            page.after_change_ms = round((time.perf_counter() - started) * 1000, 1)
        assert response.status_code == 200, (page.path, response.status_code)
        page.queries_after_change = len(ctx.captured_queries)
        # A conditional page is asked again with the ETag it was given.
        headers = {"if-none-match": response["ETag"]} if page.conditional else {}
        with override_settings(PAGE_CACHE_SECONDS=0), CaptureQueriesContext(connection) as ctx:
            client.get(page.path, headers=headers)
        page.queries = len(ctx.captured_queries)
        with override_settings(PAGE_CACHE_SECONDS=600):
            client.get(page.path)
            with CaptureQueriesContext(connection) as ctx:
                client.get(page.path)
        page.queries_cached = len(ctx.captured_queries)


class Gunicorn:
    """gunicorn on a free loopback port, stopped (with all its workers) on exit."""

    def __init__(self, env: dict, workers: int, log_path: Path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "ab")  # noqa: SIM115
        command = [sys.executable, "-m", "gunicorn", "site_config.wsgi:application"]
        command += ["--workers", str(workers), "--worker-class", "sync"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--chdir", str(ROOT)]
        command += ["--log-level", "warning", "--timeout", "60", "--backlog", "512"]
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=self.log, start_new_session=True
        )

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                if fetch(self.base + "/bench/floor/")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log.name}")

    def __exit__(self, *exc):
        self.stop()

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_mb(self) -> float | None:
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks) if peaks else None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def prepare_page(server, page) -> tuple[str, dict]:
    """Warm every worker (and the page cache), check the answer; the URL and headers to load."""
    url = server.base + page.path
    load.run_python(url, 0.3, 2)
    status, headers = fetch(url)
    sent, expected = {}, 200
    if page.conditional:
        sent, expected = {"If-None-Match": headers.get("ETag", "")}, 304
        status, _ = fetch(url, sent)
    if status != expected:
        raise RuntimeError(f"{page.path} answered {status}, expected {expected}")
    return url, sent


def measure(pages, args, env, workdir: Path) -> float | None:
    """Load every page on two servers, page cache off and on, between runs of the floor.

    The floor (on the server without page cache) is measured before and after each page,
    and each page's ratio uses the floor measured around it: on a machine shared with
    other work, that keeps a busy minute from skewing one page against another. With
    --quick, the floor is measured only first and last. Returns a worker's peak RSS.
    """
    from django.core.cache import cache

    cache.clear()
    plain_env = {**env, "PAGE_CACHE_SECONDS": "0"}
    cached_env = {**env, "PAGE_CACHE_SECONDS": "600"}
    floor, floor_runs = pages[0], []
    floor_seconds = args.seconds if args.quick else max(1.0, args.seconds / 4)
    with (
        Gunicorn(plain_env, args.workers, workdir / "plain.log") as plain,
        Gunicorn(cached_env, args.workers, workdir / "cached.log") as cached,
    ):
        floor_url, _ = prepare_page(plain, floor)

        def run_floor():
            floor_runs.append(load.run(floor_url, floor_seconds, args.connections))
            print(f"  floor            {floor_runs[-1]['rps']:8.1f} req/s", flush=True)
            return floor_runs[-1]["rps"]

        before = run_floor()
        for page in pages[1:]:
            for phase, server in (("uncached", plain), ("cached", cached)):
                url, headers = prepare_page(server, page)
                result = load.run(url, args.seconds, args.connections, headers)
                setattr(page, phase, result)
                print(f"  {phase:8} {page.name:16} {result['rps']:8.1f} req/s", flush=True)
            after = run_floor() if not args.quick or page is pages[-1] else before
            page.floor_rps = (before + after) / 2
            before = after
        # The floor served through the page cache, for comparison.
        url, _ = prepare_page(cached, floor)
        floor.cached = load.run(url, floor_seconds, args.connections)
        floor.uncached = combine(floor_runs)
        floor.floor_rps = floor.uncached["rps"]
        peaks = [rss for rss in (plain.peak_rss_mb(), cached.peak_rss_mb()) if rss]
        return max(peaks, default=None)


def combine(runs: list[dict]) -> dict:
    """Several runs of one page: mean throughput and median, worst p99, their spread."""
    mean = sum(run["rps"] for run in runs) / len(runs)
    rates = [run["rps"] for run in runs]
    return {
        "requests": sum(run["requests"] for run in runs),
        "rps": mean,
        "p50_ms": sum(run["p50_ms"] for run in runs) / len(runs),
        "p99_ms": max(run["p99_ms"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "runs": len(runs),
        "spread": round((max(rates) - min(rates)) / mean, 3) if mean else None,
    }


def ratio(page_result, floor_rps):
    return round(page_result["rps"] / floor_rps, 3) if floor_rps else None


def report(pages, args, env, rss, started) -> dict:
    from django.db import connection

    floor = pages[0].uncached["rps"]
    rows = []
    for page in pages:
        row = {"page": page.name, "path": page.path, "queries": page.queries}
        row["queries_after_change"] = page.queries_after_change
        row["after_change_ms"] = page.after_change_ms
        row["queries_cached"] = page.queries_cached
        row["floor_rps"] = page.floor_rps
        for phase in ("uncached", "cached"):
            result = getattr(page, phase)
            row[phase] = {**result, "ratio": ratio(result, page.floor_rps)}
        row["target_uncached"] = UNCACHED_TARGETS.get(page.name)
        rows.append(row)
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "articles": args.articles,
        "database": connection.vendor,
        "cache": env["CACHE_URL"].split("://", 1)[0],
        "workers": args.workers,
        "connections": args.connections,
        "seconds_per_page": args.seconds,
        "load_generator": load.available(),
        "floor_rps": floor,
        "worker_peak_rss_mb": rss,
        "commit": git_commit(),
        "elapsed_s": round(time.perf_counter() - started, 1),
        "pages": rows,
    }


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def print_table(result: dict) -> None:
    print()
    print(
        f"{result['articles']} articles · {result['database']} · cache {result['cache']} · "
        f"{result['workers']} sync workers · {result['load_generator']} "
        f"{result['connections']} connections × {result['seconds_per_page']:g} s · "
        f"worker peak RSS {result['worker_peak_rss_mb'] or 0:.0f} MB"
    )
    head = f"{'page':16} {'q':>5} {'first':>6} | {'uncached':>8} {'×floor':>6} {'p50':>6}"
    head += f" {'p99':>6} | {'cached':>8} {'×floor':>6} {'p50':>6} {'p99':>6}"
    print(head)
    print("-" * len(head))
    for row in result["pages"]:
        u, c = row["uncached"], row["cached"]
        target = row["target_uncached"]
        flag = "" if target is None or u["ratio"] >= target else f"  < {target} target"
        if c["ratio"] < CACHED_TARGET and row["page"] != "floor":
            flag += f"  cached < {CACHED_TARGET}"
        if u["errors"] or c["errors"]:
            flag += f"  errors {u['errors']}/{c['errors']}"
        queries = f"{row['queries']}/{row['queries_after_change']}"
        print(
            f"{row['page']:16} {queries:>5} {row['after_change_ms']:6.1f} | "
            f"{u['rps']:8.1f} {u['ratio']:6.3f} {u['p50_ms']:6.1f} {u['p99_ms']:6.1f} | "
            f"{c['rps']:8.1f} {c['ratio']:6.3f} {c['p50_ms']:6.1f} {c['p99_ms']:6.1f}{flag}"
        )
    floor = result["pages"][0]
    print(
        "req/s; ×floor = throughput / the floor's measured around it (floor runs: "
        f"{floor['uncached']['runs']}, {floor['uncached']['spread']:.0%} apart); p50, p99 in ms; "
        "q = queries per request / after a content change; first = ms for that first request"
    )


def cleanup(args, env, workdir: Path, created: bool) -> None:
    from django.conf import settings

    if settings.configured:
        from django.core.cache import cache
        from django.db import connections

        cache.clear()
        connections.close_all()
    if env["DATABASE_URL"].startswith("postgres") and not args.keep_db:
        drop_postgres_database(env["DATABASE_URL"])
    shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    env = configure(args, workdir)
    created = ensure_postgres_database(env["DATABASE_URL"])
    try:
        prepare(args)
        pages = choose_pages()
        if args.only:
            keep = {"floor", *args.only.split(",")}
            pages = [page for page in pages if page.name in keep]
        count_queries(pages)
        from django.db import connection

        connection.close()  # the servers get the database to themselves
        print(f"Load: {load.available()}, {args.connections} connections, {args.seconds:g} s")
        rss = measure(pages, args, env, workdir)
        result = report(pages, args, env, rss, started)
    except BaseException:
        for log in workdir.glob("*.log"):
            print(log.read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        cleanup(args, env, workdir, created)
    print_table(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{result['date'][:19].replace(':', '')}-{result['database']}-{args.articles}.json"
    (RESULTS / name).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"Written to {RESULTS / name} in {result['elapsed_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
