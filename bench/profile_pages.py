#!/usr/bin/env python
"""Profile public pages in process, page cache off, to see what dominates their time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_1k \\
        .venv/bin/python bench/profile_pages.py / /articles/ /feeds/issues/ --top 25

Use an archive that bench/run.py built and kept (--keep-db). For each path it prints the
mean time per request over --repeat requests and the functions with the most time of
their own (or, with --sort cumulative, including what they call); --top 0 only times;
--callers PATTERN shows who calls the functions matching PATTERN (e.g. 'normalize_choices').
"""

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--callers", help="also print who calls the functions matching this")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to an archive built by bench/run.py --keep-db.")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        PAGE_CACHE_SECONDS="0",
        CACHE_URL=os.environ.get("CACHE_URL", "locmem://"),
        LOG_LEVEL="WARNING",
        BENCH_STATIC_ROOT=tempfile.mkdtemp(prefix="bench-static-"),
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    for path in args.paths:
        for _ in range(3):  # warm: derived data, template loading, connection
            assert client.get(path).status_code == 200, path
        started = time.perf_counter()
        for _ in range(args.repeat):
            client.get(path)
        plain = (time.perf_counter() - started) / args.repeat * 1000
        print(f"\n=== {path}: {plain:.2f} ms per request ===")
        if not args.top:
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler).strip_dirs().sort_stats(args.sort)
        stats.print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
