"""manage.py rebuild_search_index: index every article afresh (after bulk loads)."""

import sys
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from bulletins import signals
from bulletins.search import index


class Command(BaseCommand):
    help = "重建全文检索索引（批量导入、loaddata 或直接改库之后运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=index.BATCH, help="articles per batch (default 500)"
        )

    def handle(self, *args, batch, verbosity, **options):
        started = time.perf_counter()
        show = verbosity > 0
        interactive = show and sys.stdout.isatty()

        def progress(done, total):
            if not show:
                return
            width = 30
            filled = width * done // total if total else width
            elapsed = time.perf_counter() - started
            line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({elapsed:.0f} s)"
            if interactive:
                self.stdout.write("\r" + line, ending="")
            elif done == total or done % (batch * 20) == 0:
                self.stdout.write(line)

        with transaction.atomic():
            total = index.rebuild(progress=progress, batch=batch)
            signals.announce(Command, ())  # search results changed: a new content version
        if interactive:
            self.stdout.write("")
        if show:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已索引 {total} 篇文章，用时 {time.perf_counter() - started:.1f} 秒。"
                )
            )
