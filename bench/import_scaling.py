#!/usr/bin/env python
"""Measure how the importer's parsing time grows with its input: it must grow linearly.

    .venv/bin/python bench/import_scaling.py                  # 10 KB, 100 KB and 1 MB
    .venv/bin/python bench/import_scaling.py --quick          # 10 KB and 100 KB, fewer runs
    .venv/bin/python bench/import_scaling.py --only links,normal

For each shape of input and each size it builds a text of that many bytes (UTF-8, as an
upload arrives), parses it with ``bulletins.importing.parse_text`` as an upload would be
parsed and prints the time per KB; then, for each shape, the ratio of the time per KB at
the largest size to that at the smallest. A parser linear in its input keeps the ratio near
1; a pattern or a loop that rescans what it has already read makes it grow with the size
(about 10 per tenfold size when quadratic). The exit status is 1 when a ratio exceeds 2.

The shapes: the project's own fixture bulletin (tests/fixtures/bulletins/weekly-701.txt)
repeated; that bulletin with its line breaks lost (one line: refused past the line limit,
so also measured with the limit lifted); and, in the body of an article added to it, many
Markdown links begun and never closed (``[a](``), many emphasis markers (``**``, ``*``),
runs of full-width punctuation, a long run of spaces, photo credits (``某某 摄``) and a
URL broken over many lines. "One line" shapes put all of it on one line and lift the line
limit (``max_line_chars=None``): they measure the patterns themselves on ever longer lines,
which the limit otherwise stops at 20,000 characters.

Time is the CPU time of this process (``time.process_time``), the best of several runs, so
that other work on the machine counts as little as it can. Parsing imports no Django: run
this without the project's settings. A benchmark, not a test: the machine may be busy.
"""

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bulletins.importing import BulletinParseError, parse_text  # noqa: E402
from bulletins.importing.parse import MAX_LINE_CHARS  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "bulletins" / "weekly-701.txt"
KB = 1024
SIZES = (10 * KB, 100 * KB, 1024 * KB)
QUICK_SIZES = (10 * KB, 100 * KB)
RATIO_LIMIT = 2.0
LINE_WIDTH = 1000  # characters per line in the "lines" shapes

# An article added after the fixture's three: its body is where the shapes go.
ARTICLE = """
4.标题：规模测试文章

来源：示例健康报

链接：https://news.example.org/health/2026/0312/c1001-30112299.html

主要内容：

规模测试文章

2026-03-12 来源：示例健康报

"""
BROKEN_LINK = """
4.标题：规模测试文章

来源：示例健康报

链接：https://news.example.org/health/2026/
{pieces}
主要内容：

规模测试文章

2026-03-12 来源：示例健康报

正文只有一段。
"""


@dataclass
class Shape:
    name: str
    build: object  # size in bytes -> text
    markdown: bool | None = None  # None: detected, as for a .txt upload
    max_line_chars: int | None = MAX_LINE_CHARS


def _repeat_to(unit: str, size: int, head: str = "", tail: str = "") -> str:
    """head + unit repeated + tail, about ``size`` bytes in UTF-8."""
    room = size - len((head + tail).encode())
    count = max(1, room // len(unit.encode()))
    return head + unit * count + tail


def _one_line(unit: str):
    def build(size: int) -> str:
        return _repeat_to(unit, size, FIXTURE_TEXT + ARTICLE, "\n")

    return build


def _lines(unit: str):
    line = unit * max(1, LINE_WIDTH // len(unit)) + "\n\n"

    def build(size: int) -> str:
        return _repeat_to(line, size, FIXTURE_TEXT + ARTICLE)

    return build


def _normal(size: int) -> str:
    return _repeat_to(FIXTURE_TEXT + "\n", size)


def _without_line_breaks(size: int) -> str:
    flat = " ".join(line for line in FIXTURE_TEXT.splitlines() if line.strip())
    return _repeat_to(flat + " ", size)


def _broken_link(size: int) -> str:
    lines, total, number = [], len(BROKEN_LINK.encode()) + len(FIXTURE_TEXT.encode()), 0
    while total < size:
        piece = f"p{number}/"
        lines.append(piece)
        total += len(piece) + 1
        number += 1
    return FIXTURE_TEXT + BROKEN_LINK.format(pieces="\n".join(lines))


FIXTURE_TEXT = FIXTURE.read_text(encoding="utf-8")
PARAGRAPH = "据介绍，这项工作分三步推进：先在省会城市试点，再向地市扩展，年底前实现全省覆盖。"
SHAPES = [
    Shape("normal", _normal),
    Shape("long line", _without_line_breaks),
    Shape("long line, no limit", _without_line_breaks, max_line_chars=None),
    Shape("links [a](, lines", _lines("[a]("), markdown=True),
    Shape("links [a](, one line", _one_line("[a]("), markdown=True, max_line_chars=None),
    Shape("emphasis **, lines", _lines("**a*b "), markdown=True),
    Shape("emphasis **, one line", _one_line("**a*b "), markdown=True, max_line_chars=None),
    Shape("full-width punct., one line", _one_line("。，、；：（【《“"), max_line_chars=None),
    Shape("spaces, one line", _one_line(" "), max_line_chars=None),
    Shape("photo credits, one line", _one_line("记者 某某 摄 "), max_line_chars=None),
    Shape("paragraph, one line", _one_line(PARAGRAPH), max_line_chars=None),
    Shape("link broken over lines", _broken_link),
]


def parse(shape: Shape, text: str) -> str:
    """Parse as an upload is parsed; what came of it, in a few words."""
    try:
        bulletin = parse_text(text, markdown=shape.markdown, max_line_chars=shape.max_line_chars)
    except BulletinParseError as error:
        first = error.problems[0].message if error.problems else ""
        return f"refused ({len(error.problems)} problems): {first[:36]}"
    return f"{len(bulletin.articles)} articles, {len(bulletin.warnings)} warnings"


def best_time(shape: Shape, text: str, min_runs: int, min_seconds: float) -> tuple[float, str]:
    """The shortest CPU time of several parses (at least ``min_runs``, for ``min_seconds``)
    and what came of them."""
    best, runs, spent, result = float("inf"), 0, 0.0, ""
    while runs < min_runs or (spent < min_seconds and runs < 50):
        started = time.process_time()
        result = parse(shape, text)
        elapsed = time.process_time() - started
        best, runs, spent = min(best, elapsed), runs + 1, spent + elapsed
    return best, result


def size_label(size: int) -> str:
    return f"{size // (1024 * KB)} MB" if size >= 1024 * KB else f"{size // KB} KB"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 KB and 100 KB, fewer runs")
    parser.add_argument("--only", help="comma-separated words: shapes whose name has one")
    parser.add_argument("--runs", type=int, help="at least this many timed runs per input")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if "django" in sys.modules:
        sys.exit("Parsing imported Django: it must not (pyproject.toml, import-linter).")
    sizes = QUICK_SIZES if args.quick else SIZES
    min_runs = args.runs or (1 if args.quick else 3)
    min_seconds = 0.2 if args.quick else 1.0
    shapes = SHAPES
    if args.only:
        words = [word.strip() for word in args.only.split(",") if word.strip()]
        shapes = [shape for shape in SHAPES if any(word in shape.name for word in words)]
    print(
        f"Parsing time per KB (ms CPU, best of at least {min_runs} runs), "
        f"line limit {MAX_LINE_CHARS:,} characters unless lifted"
    )
    header = f"{'shape':<30}" + "".join(f"{size_label(s):>10}" for s in sizes)
    print(f"{header}{'ratio':>8}  largest input")
    over = []
    for shape in shapes:
        per_kb, result = [], ""
        for size in sizes:
            text = shape.build(size)
            seconds, result = best_time(shape, text, min_runs, min_seconds)
            per_kb.append(seconds * 1000 / (len(text.encode()) / KB))
        ratio = per_kb[-1] / per_kb[0] if per_kb[0] else float("inf")
        if ratio > RATIO_LIMIT:
            over.append(shape.name)
        cells = "".join(f"{value:>10.3f}" for value in per_kb)
        print(f"{shape.name:<30}{cells}{ratio:>8.2f}  {result}", flush=True)
    if over:
        print(f"Time per KB grew more than {RATIO_LIMIT:g}× for: {', '.join(over)}")
        return 1
    print(
        f"Time per KB within {RATIO_LIMIT:g}× from {size_label(sizes[0])} to "
        f"{size_label(sizes[-1])} for every shape."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
