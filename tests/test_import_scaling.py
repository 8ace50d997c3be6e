"""The importer reads in time linear in its input (issue 20, item 8), asserted without timing.

A document that once took minutes (a 150 KB file of one line, a 22 KB Markdown file of
unclosed ``[a](``) is read in a child process with a generous deadline, so that a
regression fails instead of hanging the suite. How the work grows is measured by a count
that does not depend on the machine: the characters handed to the text helpers of the
parsing modules, which must grow with the document and not with its square.
``bench/import_scaling.py`` measures the time itself.
"""

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import import_scaling
from bulletins.importing import BulletinParseError, body, fields, links, parse, parse_text, text
from bulletins.importing.parse import MAX_LINE_CHARS

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = import_scaling.FIXTURE.read_text(encoding="utf-8")
# A fourth article after the fixture's three (the bench's): the troublesome text goes in
# its body.
ARTICLE = import_scaling.ARTICLE
DEADLINE = 20  # seconds: far beyond what a linear parser needs, far below a quadratic one
TOO_LONG = "第1行过长（超过 20000 个字符），请检查文件是否为简报正文"

# Reads the jobs named in a JSON file and prints what came of each (in a child process).
_CHILD = """
import json, sys
from pathlib import Path
from bulletins.importing import BulletinParseError, parse_document, parse_text

results = []
for job in json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")):
    data = Path(job["path"]).read_bytes()
    try:
        if "name" in job:
            bulletin = parse_document(job["name"], data)
        else:
            bulletin = parse_text(
                data.decode("utf-8"), markdown=job["markdown"], max_line_chars=job["limit"]
            )
    except BulletinParseError as error:
        results.append({"problems": [[p.line, p.message] for p in error.problems]})
    else:
        results.append({"articles": len(bulletin.articles)})
print(json.dumps(results))
"""


def read_in_child(tmp_path: Path, jobs: list[dict]) -> list[dict]:
    """Parse each job's content in a child process that must finish within DEADLINE."""
    for number, job in enumerate(jobs):
        path = tmp_path / f"input-{number}"
        path.write_bytes(job.pop("content"))
        job["path"] = str(path)
    listing = tmp_path / "jobs.json"
    listing.write_text(json.dumps(jobs), encoding="utf-8")
    try:
        finished = subprocess.run(
            [sys.executable, "-c", _CHILD, str(listing)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"parsing did not finish within {DEADLINE} s: not linear")
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def one_line(unit: str, characters: int) -> str:
    return (unit * (characters // len(unit) + 1))[:characters]


# --- the files of the issue -----------------------------------------------------------


def test_a_one_line_150_kb_text_file_is_refused_naming_the_line(tmp_path):
    content = one_line("本报讯　记者从省卫生健康委获悉，全省将推动电子健康档案互通调阅。", 50_000)
    assert len(content.encode()) == 150_000
    ascii_content = ("a" * 150_000).encode()
    results = read_in_child(
        tmp_path,
        [
            {"name": "one-line.txt", "content": content.encode()},
            {"name": "one-line-ascii.txt", "content": ascii_content},
        ],
    )
    for result in results:
        assert result == {"problems": [[1, TOO_LONG]]}


def test_a_22_kb_markdown_file_of_unclosed_links_is_read(tmp_path):
    on_one_line = ("[a](" * 5_500).encode()
    on_lines = (FIXTURE + ARTICLE + ("[a](" * 100 + "\n\n") * 48).encode()
    assert len(on_one_line) == 22_000 and 21_000 < len(on_lines) < 23_000
    refused, read = read_in_child(
        tmp_path,
        [
            {"name": "links.md", "content": on_one_line},
            {"name": "links-on-lines.md", "content": on_lines},
        ],
    )
    assert refused == {"problems": [[1, TOO_LONG]]}
    assert read == {"articles": 4}


# Text that made a pattern retry a stretch of the line once for each of its characters.
TROUBLE = {
    "unclosed links": ("[a](", True),
    "links ending in a bracket": ("[a](http://x.cn/[1]", True),
    "unclosed autolinks": ("<http://", True),
    "emphasis markers": ("**a*b ", True),
    "single stars": ("*a ", True),
    "underscores": ("__a", True),
    "full-width punctuation": ("。，、；：（【《“", None),
    "opening brackets": ("（a", None),
    "spaces": (" ", None),
    "spaces and hashes": (" #", True),
    "issue marks": ("第1", None),
    "series names without a space": ("周", None),
    "field names": ("来源：", None),
    "dates": ("2025年8月8日 ", None),
    "photo credits": ("记者 某某 摄 ", None),
    "letters": ("a", None),
}


@pytest.mark.parametrize("where", ["whole file", "article body"])
def test_long_lines_of_troublesome_text_are_read_in_time(tmp_path, where):
    """150,000 characters on one line, the line limit lifted: the patterns themselves."""
    jobs = []
    for unit, markdown in TROUBLE.values():
        line = one_line(unit, 150_000)
        content = line if where == "whole file" else FIXTURE + ARTICLE + line + "\n"
        jobs.append({"content": content.encode(), "markdown": markdown, "limit": None})
    results = read_in_child(tmp_path, jobs)
    for name, result in zip(TROUBLE, results, strict=True):
        if where == "article body":
            assert result == {"articles": 4}, name
        else:
            assert "problems" in result, name
            assert not any("内部错误" in message for _, message in result["problems"]), name


# --- the line limit -------------------------------------------------------------------


def test_a_line_at_the_limit_is_read_and_one_longer_is_refused():
    longest = "据介绍，" + "试" * (MAX_LINE_CHARS - 4)
    assert len(longest) == MAX_LINE_CHARS
    assert len(parse_text(FIXTURE + ARTICLE + longest + "\n").articles) == 4
    with pytest.raises(BulletinParseError) as refused:
        parse_text(FIXTURE + ARTICLE + longest + "试\n")
    line = (FIXTURE + ARTICLE).count("\n") + 1
    assert [(p.line, p.message) for p in refused.value.problems] == [
        (line, f"第{line}行过长（超过 {MAX_LINE_CHARS} 个字符），请检查文件是否为简报正文")
    ]


def test_only_the_first_few_long_lines_are_named():
    document = "\n".join(["标题", *["长" * (MAX_LINE_CHARS + 1)] * 8])
    with pytest.raises(BulletinParseError) as refused:
        parse_text(document)
    problems = refused.value.problems
    assert [p.line for p in problems] == [2, 3, 4, 5, 6, 0]
    assert problems[-1].message == "另有 3 行也过长"


def test_the_limit_can_be_lifted_for_measuring():
    document = FIXTURE + ARTICLE + "试" * (MAX_LINE_CHARS + 1) + "\n"
    assert len(parse_text(document, max_line_chars=None).articles) == 4


# --- how the work grows: characters handed to the text helpers ------------------------

_HELPER_MODULES = (text, fields, links, body)


def _characters(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple):
        return sum(_characters(item) for item in value)
    return 0


@pytest.fixture
def helper_characters(monkeypatch):
    """Count the characters passed to every function of the parsing modules' helpers.

    Each helper reads its arguments a bounded number of times, so this count follows the
    work done: a loop that hands the text joined so far, or the rest of a line, to a helper
    once for every line or every match makes it grow with the square of the input.
    """
    count = [0]

    def counting(function):
        def counted(*args, **kwargs):
            count[0] += _characters(args) + _characters(list(kwargs.values()))
            return function(*args, **kwargs)

        return counted

    helpers = {
        function: counting(function)
        for module in _HELPER_MODULES
        for function in vars(module).values()
        if inspect.isfunction(function) and function.__module__ == module.__name__
    }
    for module in (*_HELPER_MODULES, parse):
        for name, value in list(vars(module).items()):
            if inspect.isfunction(value) and value in helpers:
                monkeypatch.setattr(module, name, helpers[value])

    def measure(document: str, markdown: bool | None) -> int:
        count[0] = 0
        try:
            parse_text(document, markdown=markdown, max_line_chars=None)
        except BulletinParseError:
            pass
        return count[0]

    return measure


# Longer than a sub-heading, without a sentence's end: a line that the next one goes on.
WRAPPED = "据介绍这项工作分三步推进先在省会城市试点再向地市扩展年底前实现全省覆盖"


def _body(lines: str) -> callable:
    return lambda n: FIXTURE + ARTICLE + lines * n


GROWING = {
    "the bulletin repeated": (lambda n: (FIXTURE + "\n") * n, None),
    "a paragraph wrapped over many lines": (_body(f"{WRAPPED}\n"), None),
    "paragraphs broken by blank lines": (_body(f"{WRAPPED}\n\n\n"), None),
    "a list item over many lines": (lambda n: FIXTURE + ARTICLE + "- 一项\n" + "续行\n" * n, True),
    "many list items": (_body("- 一项工作\n"), True),
    "many captions on a line": (_body("记者 某某 摄 " * 20 + "\n"), None),
    "many unclosed links": (_body("[a](" * 50 + "\n"), True),
    "many emphasis markers": (_body("**a*b " * 50 + "\n"), True),
    "a link broken over many lines": (
        lambda n: FIXTURE.replace(
            "https://news.example.org/health/2026/0309/c1001-30112233.html",
            "https://news.example.org/\n" + "".join(f"p{i}/\n" for i in range(n)),
        ),
        None,
    ),
    "a table of contents title over many lines": (
        lambda n: FIXTURE.replace(
            "1. 某省推进电子健康档案跨院调阅", "1. 某省推进电子健康档案跨院调阅" + "\n续行" * n
        ),
        None,
    ),
    "an intro over many lines": (
        lambda n: FIXTURE.replace("本期导语：", "本期导语：" + "监测范围包括全国\n" * n),
        None,
    ),
    "a long line": (lambda n: FIXTURE + ARTICLE + "某某 摄 [a](**a " * (20 * n) + "\n", True),
}


@pytest.mark.parametrize("name", GROWING)
def test_work_grows_in_proportion_to_the_document(helper_characters, name):
    build, markdown = GROWING[name]
    small, large = build(40), build(160)
    ratio = helper_characters(large, markdown) / helper_characters(small, markdown)
    # Four times the document: at most four times the work (a little more for rounding);
    # quadratic work would be sixteen times.
    assert ratio <= 1.25 * len(large) / len(small), (name, ratio)
