"""manage.py import_bulletins: files and folders, --dry-run, --publish, exit status, summary."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper

from bulletins.editorial import history
from bulletins.management.commands.import_bulletins import Command, Progress
from bulletins.models import Article, Issue, Source
from tests.test_import_load import database_state
from tests.test_parse_docx import save, weekly_document

FIXTURES = Path(__file__).parent / "fixtures" / "bulletins"

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_bulletins", *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_failing(*args) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError, match="个文件未能导入"):
        call_command("import_bulletins", *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def folder(tmp_path):
    """The project's fixtures, one in a sub-folder, plus files the command must pass over."""
    shutil.copy(FIXTURES / "weekly-701.txt", tmp_path)
    shutil.copy(FIXTURES / "monthly-555.md", tmp_path)
    (tmp_path / "older").mkdir()
    shutil.copy(FIXTURES / "weekly-650-inline.txt", tmp_path / "older")
    (tmp_path / "older" / "weekly.docx").write_bytes(save(weekly_document()))
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "~$weekly.docx").write_bytes(b"lock file")
    (tmp_path / ".hidden").mkdir()
    shutil.copy(FIXTURES / "weekly-701.txt", tmp_path / ".hidden")
    return tmp_path


def test_a_folder_is_searched_recursively_and_every_issue_imported_as_a_draft(folder):
    output = run(folder)
    assert sorted(Issue.objects.values_list("series__slug", "number", "status")) == [
        ("monthly", 555, "draft"),
        ("weekly", 650, "draft"),
        ("weekly", 701, "draft"),
    ]
    # weekly.docx is 第六百五十期 too: the second file of the pair updates the first.
    assert "本批中的" in output and "后者覆盖前者" in output
    assert "[1/4]" in output and "[4/4]" in output
    assert "共 4 个文件：新建 3 期，更新 1 期，失败 0 个" in output
    assert "导入的期刊均为草稿。" in output
    assert "notes.pdf" not in output and "~$" not in output and ".hidden" not in output


def test_issues_are_loaded_in_number_order(tmp_path):
    """Sequence warnings compare each issue with the ones before it, whatever the file names."""
    (tmp_path / "a.txt").write_text(
        (FIXTURES / "weekly-701.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text(
        (FIXTURES / "weekly-650-inline.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    output = run(tmp_path)
    assert output.index("b.txt") < output.index("a.txt")
    assert "上一期是第六五〇期，本期是第七〇一期，中间缺少 50 期" in output
    assert "本系列最新一期" not in output


def test_warnings_are_printed_with_their_line_numbers():
    output = run(FIXTURES / "weekly-701.txt")
    assert "已新建 周报 第七〇一期" in output
    assert "第77行：第3篇文章缺少链接" in output
    assert "第59行：链接被断成多行" in output


def test_dry_run_prints_the_plan_and_writes_nothing():
    state = database_state()
    output = run(FIXTURES / "monthly-555.md", "--dry-run")
    assert database_state() == state
    assert "将新建 月报 第五五五期" in output
    assert "1. 市级全民健康信息平台启动扩容 ｜ 示例城市报（新来源，其他） ｜ 2026-02-03" in output
    assert (
        "4. 中医药数据资源目录发布 ｜ 示例政务网（新来源，政府网站） ｜ 2026-02-18 ｜ 无链接"
        in output
    )
    assert "来源标题：120调度有了“导航大脑” 救护车平均提前两分钟到达" in output
    assert "第103行：第4篇文章缺少链接" in output
    assert "试运行，未写入数据库。共 1 个文件：将新建 1 期" in output


def test_dry_run_counts_a_second_file_of_one_issue_as_an_update(folder):
    output = run(folder, "--dry-run")
    assert "本批中的" in output and "后者覆盖前者" in output
    assert "将更新 周报 第六五〇期" in output
    assert "共 4 个文件：将新建 3 期，将更新 1 期，失败 0 个" in output
    assert not Issue.objects.exists()


def test_dry_run_of_an_issue_already_there_says_it_would_update_it():
    run(FIXTURES / "weekly-701.txt")
    Source.objects.filter(name="示例晚报").update(name="示例晚报社")
    output = run(FIXTURES / "weekly-701.txt", "--dry-run")
    assert "将更新 周报 第七〇一期" in output
    assert "示例晚报（新来源，其他）" in output
    assert not Source.objects.filter(name="示例晚报").exists()


def test_publish_makes_the_imported_issues_public():
    output = run(FIXTURES / "weekly-701.txt", "--publish")
    assert Issue.objects.published().count() == 1
    assert "导入的期刊已发布。" in output


def test_importing_again_updates_and_says_so():
    run(FIXTURES / "weekly-701.txt")
    output = run(FIXTURES / "weekly-701.txt")
    assert "已更新 周报 第七〇一期" in output
    assert "新建 0 期，更新 1 期" in output
    assert Issue.objects.count() == 1 and Article.objects.count() == 3


def test_a_failed_file_does_not_stop_the_others_and_the_command_fails(tmp_path):
    shutil.copy(FIXTURES / "weekly-701.txt", tmp_path)
    (tmp_path / "broken.txt").write_text("全国卫生信息化舆情监测周报\n没有期号的文档\n", "utf-8")
    (tmp_path / "renamed.docx").write_text("不是 Word 文档", encoding="utf-8")
    output = run_failing(tmp_path)
    assert Issue.objects.filter(number=701).exists()
    assert "broken.txt\n  失败，未写入任何内容：" in output
    assert "未找到期号" in output
    assert "内容不是 Word 文档" in output
    assert "新建 1 期，更新 0 期，失败 2 个" in output


def test_a_path_that_does_not_exist_fails(tmp_path):
    output = run_failing(tmp_path / "nowhere.txt")
    assert "文件或文件夹不存在" in output


def test_the_exit_status_is_one_when_a_file_failed(tmp_path, monkeypatch, capsys):
    """Through run_from_argv, as `manage.py import_bulletins` runs it."""
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)  # the test's DB
    bad = tmp_path / "bad.md"
    bad.write_text("# 空文档\n", encoding="utf-8")
    argv = ["manage.py", "import_bulletins", "--skip-checks"]
    with pytest.raises(SystemExit) as exit_status:
        Command().run_from_argv([*argv, str(bad)])
    assert exit_status.value.code == 1
    assert "1 个文件未能导入" in capsys.readouterr().err
    Command().run_from_argv([*argv, str(FIXTURES / "weekly-701.txt")])  # no SystemExit
    assert Issue.objects.count() == 1


def test_a_word_document_imports_like_text(tmp_path):
    path = tmp_path / "周报650.docx"
    path.write_bytes(save(weekly_document()))
    run(path)
    issue = Issue.objects.get()
    assert issue.number == 650
    first = issue.articles.get(position=1)
    assert "<strong>在线选择家庭医生</strong>" in first.body_html
    assert first.original_url == "https://www.example-county.cn/news/2025/1110/a_77_8.html"


def test_the_progress_bar_is_drawn_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    bar = Progress(OutputWrapper(terminal), 3)
    bar.start("导入")
    for _ in range(3):
        bar.advance()
    bar.clear()
    assert "导入 [" in terminal.getvalue() and "3/3" in terminal.getvalue()

    piped = io.StringIO()
    quiet = Progress(OutputWrapper(piped), 3)
    quiet.start("导入")
    quiet.advance()
    assert piped.getvalue() == ""


def test_each_imported_issue_starts_its_history():
    """The command records a version of the issue and its articles, naming the file."""
    run(FIXTURES / "weekly-701.txt")
    issue = Issue.objects.get()
    [version] = history.issue_versions(issue)
    assert "weekly-701.txt" in version.revision.get_comment()
    assert version.revision.version_set.count() == 1 + issue.articles.count()
