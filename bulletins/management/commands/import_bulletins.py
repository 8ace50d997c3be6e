"""python manage.py import_bulletins PATH... — bulletin documents into the archive.

Files or folders (searched recursively for .txt, .md, .markdown and .docx). Every file is
read first; then the issues are loaded in series and number order, each file in its own
transaction (all of it or none of it). ``--dry-run`` prints what would be created or
updated and writes nothing; ``--publish`` makes the imported issues public at once
(otherwise they are drafts). The exit status is 1 when any file failed.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bulletins.editorial import history
from bulletins.importing import BulletinParseError, ParsedBulletin, Problem, parse_document
from bulletins.importing.filetypes import EXTENSIONS, check_file
from bulletins.importing.load import ImportPlan, load_bulletin, plan_bulletin
from bulletins.text.formatting import chinese_date


@dataclass
class Outcome:
    path: Path
    parsed: ParsedBulletin | None = None
    problems: list[Problem] | None = None  # the errors when the file failed


class Progress:
    """A one-line progress bar on a terminal (a command's OutputWrapper); else nothing."""

    def __init__(self, stream, total: int):
        self.stream = stream
        self.total = total
        self.done = 0
        self.label = ""
        self.enabled = total > 1 and stream.isatty()

    def start(self, label: str) -> None:
        self.label, self.done = label, 0
        self._draw()

    def advance(self) -> None:
        self.done += 1
        self._draw()

    def clear(self) -> None:
        if self.enabled:
            self._write("\r\033[K")

    def _draw(self) -> None:
        if not self.enabled:
            return
        columns = shutil.get_terminal_size((80, 20)).columns
        width = max(10, min(40, columns - 30))
        filled = width * self.done // self.total
        bar = "#" * filled + "-" * (width - filled)
        self._write(f"\r{self.label} [{bar}] {self.done}/{self.total}")

    def _write(self, text: str) -> None:
        # Plain (not in stderr's error colour), no newline.
        self.stream.write(text, style_func=lambda same: same, ending="")
        self.stream.flush()


def find_documents(paths: list[str]) -> tuple[list[Path], list[Outcome]]:
    """Files to import (folders searched recursively), and the paths that name none."""
    found: dict[Path, Path] = {}
    missing = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            inside = sorted(
                candidate
                for candidate in path.rglob("*")
                if candidate.is_file()
                and candidate.suffix.lower().lstrip(".") in EXTENSIONS
                and not any(
                    part.startswith((".", "~$")) for part in candidate.relative_to(path).parts
                )
            )
            if not inside:
                missing.append(Outcome(path, problems=[Problem(0, _("文件夹中没有可导入的文件"))]))
            for candidate in inside:
                found.setdefault(candidate.resolve(), candidate)
        elif path.is_file():
            found.setdefault(path.resolve(), path)
        else:
            missing.append(Outcome(path, problems=[Problem(0, _("文件或文件夹不存在"))]))
    return list(found.values()), missing


def read(path: Path) -> Outcome:
    try:
        data = path.read_bytes()
        check_file(path.name, data)
        return Outcome(path, parsed=parse_document(path.name, data))
    except OSError as error:
        return Outcome(path, problems=[Problem(0, _("无法读取文件：%(e)s") % {"e": error})])
    except BulletinParseError as error:
        return Outcome(path, problems=error.problems)


class Command(BaseCommand):
    help = _(
        "导入简报文档（.txt、.md、.markdown、.docx；可给文件夹）。每个文件要么全部导入，"
        "要么不写入任何内容；同一系列同一期号再次导入时更新原有一期。"
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help=_("文件或文件夹"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("只显示将新建或更新的内容，不写入数据库")
        )
        parser.add_argument(
            "--publish", action="store_true", help=_("导入后立即发布（默认存为草稿）")
        )

    def handle(self, *args, paths, dry_run=False, publish=False, verbosity=1, **options):
        self.verbosity = verbosity
        self.dry_run = dry_run
        files, outcomes = find_documents(paths)
        total = len(files) + len(outcomes)
        self.progress = Progress(self.stderr, total)

        self.progress.start(_("读取"))
        for path in files:
            outcomes.append(read(path))
            self.progress.advance()
        self.progress.clear()

        # Load in series and number order, so that each issue is checked against the
        # ones before it; files that could not be read are reported last.
        outcomes.sort(
            key=lambda o: (
                (0, o.parsed.series_slug, o.parsed.number, str(o.path))
                if o.parsed
                else (1, "", 0, str(o.path))
            )
        )
        seen: dict[tuple[str, int], Path] = {}
        counts = {"created": 0, "updated": 0, "failed": 0, "warnings": 0}
        self.progress.start(_("试运行") if dry_run else _("导入"))
        for index, outcome in enumerate(outcomes, start=1):
            self.progress.clear()
            self.line(f"[{index}/{total}] {outcome.path}", level=1)
            self.current = outcome.path
            if outcome.parsed is None:
                self.failed(outcome.problems, counts)
            else:
                self.import_one(outcome, publish, seen, counts)
            self.progress.advance()
        self.progress.clear()
        self.summary(total, counts, publish)
        if counts["failed"]:
            raise CommandError(_("%(n)s 个文件未能导入。") % {"n": counts["failed"]})

    # -- one file ------------------------------------------------------------------------

    def import_one(self, outcome: Outcome, publish: bool, seen: dict, counts: dict) -> None:
        parsed = outcome.parsed
        key = (parsed.series_slug, parsed.number)
        extra = []
        if key in seen:
            extra.append(
                Problem(0, _("本批中的“%(other)s”也是这一期，后者覆盖前者") % {"other": seen[key]})
            )
        seen[key] = outcome.path
        if self.dry_run:
            plan = plan_bulletin(parsed, publish=publish)
            if plan.errors:
                self.failed(plan.errors, counts)
                return
            plan.earlier_in_batch = bool(extra)  # then it would update what that one made
            self.describe(plan, planned=True)
            warnings = plan.warnings + extra
            created = plan.creates
        else:
            try:
                plan = plan_bulletin(parsed, publish=publish) if self.verbosity >= 2 else None
                with history.recorded(comment=_("命令行导入：%(path)s") % {"path": outcome.path}):
                    result = load_bulletin(parsed, publish=publish)
                    history.add(result.issue)
            except BulletinParseError as error:
                self.failed(error.problems, counts)
                return
            created = result.created
            warnings = result.warnings + extra
            if plan is not None and not plan.errors:
                self.describe(plan, planned=False)
            else:
                self.headline(parsed, created, publish, planned=False, result=result)
        counts["created" if created else "updated"] += 1
        counts["warnings"] += len(warnings)
        self.warnings(warnings)

    def headline(self, parsed, created, publish, *, planned, result=None, plan=None) -> None:
        if planned:
            action = _("将新建") if created else _("将更新")
        else:
            action = _("已新建") if created else _("已更新")
        name = plan.label if plan else str(result.issue)
        details = [chinese_date(parsed.publication_date)]
        if parsed.period_start and parsed.period_end:
            details.append(
                _("监测时段%(start)s至%(end)s")
                % {
                    "start": chinese_date(parsed.period_start),
                    "end": chinese_date(parsed.period_end),
                }
            )
        details.append(_("%(n)s篇文章") % {"n": len(parsed.articles)})
        details.append(_("已发布") if publish else _("草稿"))
        style = self.style.SUCCESS if not planned else self.style.HTTP_INFO
        self.line(style(f"  {action} {name}（{'，'.join(details)}）"), level=1)

    def describe(self, plan: ImportPlan, *, planned: bool) -> None:
        """The headline, and (dry run or -v 2) every article with its source and link."""
        parsed = plan.parsed
        self.headline(parsed, plan.creates, plan.publish, planned=planned, plan=plan)
        if not (planned or self.verbosity >= 2):
            return
        if parsed.intro:
            self.line(_("  导语：%(intro)s") % {"intro": parsed.intro}, level=1)
        for position, article in enumerate(parsed.articles, start=1):
            source = plan.source_for(article)
            if source is None:
                cited = _("（无来源）")
            elif source.is_new:
                cited = _("%(name)s（新来源，%(kind)s）") % {
                    "name": source.name,
                    "kind": source.kind_label,
                }
            elif source.via_alias:
                cited = f"{source.name} → {source.source.name}"
            else:
                cited = source.name
            day = article.original_date.isoformat() if article.original_date else _("无日期")
            link = article.link or _("无链接")
            self.line(f"  {position}. {article.title} ｜ {cited} ｜ {day} ｜ {link}", level=1)
            if article.original_title:
                self.line(
                    _("     来源标题：%(title)s") % {"title": article.original_title}, level=1
                )

    def warnings(self, warnings: list[Problem]) -> None:
        if not warnings:
            return
        self.line(self.style.WARNING(_("  提醒 %(n)s 条：") % {"n": len(warnings)}), level=1)
        for problem in warnings:
            self.line(self.style.WARNING(f"    {problem.message}"), level=1)

    def failed(self, problems: list[Problem], counts: dict) -> None:
        counts["failed"] += 1
        if self.verbosity < 1:
            self.line(str(self.current), level=0)
        self.line(self.style.ERROR(_("  失败，未写入任何内容：")), level=0)
        for problem in problems:
            self.line(self.style.ERROR(f"    {problem.message}"), level=0)

    def summary(self, total: int, counts: dict, publish: bool) -> None:
        if self.dry_run:
            text = _(
                "试运行，未写入数据库。共 %(total)s 个文件：将新建 %(created)s 期，"
                "将更新 %(updated)s 期，失败 %(failed)s 个；提醒 %(warnings)s 条。"
            )
        else:
            text = _(
                "共 %(total)s 个文件：新建 %(created)s 期，更新 %(updated)s 期，"
                "失败 %(failed)s 个；提醒 %(warnings)s 条。"
            )
        text %= {"total": total, **counts}
        if not self.dry_run and (counts["created"] or counts["updated"]):
            text += _("导入的期刊已发布。") if publish else _("导入的期刊均为草稿。")
        style = self.style.ERROR if counts["failed"] else self.style.SUCCESS
        self.line(style(text), level=0)

    def line(self, text: str, *, level: int) -> None:
        if self.verbosity >= level:
            self.stdout.write(text)
