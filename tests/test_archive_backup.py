"""Nothing lost: export_archive writes every row, import_archive restores them exactly.

A round trip through the file reproduces every row of every table (ids and stored times
included) and every public page byte for byte. A restore is all or nothing: a damaged,
altered or inconsistent file, or a database that already has content, leaves the
database as it was. Into a new database, as an operator restores one: editors'
unconfirmed uploads are not in the file, sign-offs find their accounts by username
(then, or when the account is created), and the revision history comes back, so that
an issue's 历史 and 已删除的期刊 work as before.
"""

import datetime
import gzip
import hashlib
import io
import json
import stat
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client
from django.test.utils import isolate_apps
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from bulletins.backup.tables import ArchiveError, Table, archive_models
from bulletins.editorial import history
from bulletins.models import (
    Article,
    Issue,
    PendingImport,
    PendingSignOff,
    Series,
    Source,
    SourceAlias,
    Tag,
)
from tests import factories, public_urls
from tests.admin_forms import post_form


def build_archive():
    """Public, draft, in-review and scheduled issues, with everything an editor can set."""
    weekly = Series.objects.get(slug="weekly")
    weekly.description = "每周一期的全国卫生信息化舆情。"
    weekly.save()
    people = factories.source("人民网", kind=Source.Kind.CENTRAL, homepage="http://people.cn/")
    SourceAlias.objects.create(name="人民网-人民日报", source=people)
    xinhua = factories.source("新华社", kind=Source.Kind.CENTRAL)
    insurance = factories.tag("医保", description="医疗保障与支付改革。")
    ai = factories.tag("人工智能")
    issues = [
        factories.issue(number=636, publication_date=datetime.date(2025, 8, 8)),
        factories.issue(series_slug="monthly", number=540, intro=""),
        factories.draft_issue(number=637),
        factories.issue(number=638, status=Issue.Status.REVIEW),
        factories.scheduled_issue(number=639),
    ]
    for n, issue in enumerate(issues):
        factories.article(
            issue_obj=issue,
            title=f"第{n}期的文章：数据要素赋能医疗",
            original_title="原题" if n % 2 else "",
            source=people if n % 2 else xinhua,
            body=f"第一段正文，足够长的一段文字 {n}。\n\n### 小标题\n\n**加粗**\n\n*图 | 说明*",
            tags=[insurance, ai][: n % 3],
        )
        factories.article(issue_obj=issue, title=f"第{n}期的第二篇", source=None, original_url="")


def rows() -> dict:
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in archive_models()
    }


def public_pages(client) -> dict:
    filled = public_urls.fill(
        public_urls.public_patterns(), public_urls.values_of(public_urls.public_objects())
    )
    urls = [url for found in filled.values() for url in found]
    urls += ["/articles/?tag=%E5%8C%BB%E4%BF%9D", "/issues/?year=2025", "/articles/?q=数据"]
    pages = {}
    for url in urls:
        response = client.get(url)
        pages[url] = (response.status_code, public_urls.body(response))
    return pages


def empty_the_database():
    """What a fresh database holds: no content, and the series as the migrations made them."""
    Article.objects.all().delete()
    Issue.objects.all().delete()
    Source.objects.all().delete()
    Tag.objects.all().delete()
    Series.objects.update(description="")


@pytest.mark.django_db
def test_a_round_trip_reproduces_every_row_and_every_public_page(client, tmp_path):
    build_archive()
    before_rows, before_pages = rows(), public_pages(client)
    assert len(before_rows["bulletins.Article_tags"]) > 0
    path = tmp_path / "archive.jsonl"
    call_command("export_archive", str(path))

    empty_the_database()
    assert client.get("/issues/weekly/636/").status_code == 404
    call_command("import_archive", str(path))

    assert rows() == before_rows
    after_pages = public_pages(client)
    assert after_pages.keys() == before_pages.keys()
    changed = [url for url in before_pages if before_pages[url] != after_pages[url]]
    assert not changed, f"pages that differ after the restore: {changed}"
    # New rows continue after the restored ids.
    newest = max(row["id"] for row in before_rows["bulletins.Article"])
    assert factories.article(issue_obj=Issue.objects.get(number=636)).pk > newest


@pytest.mark.django_db
def test_the_file_is_documented_json_lines_readable_by_its_owner_only(tmp_path):
    """One manifest line (format, version, tables with row counts and fields), one line per
    row, an end line with a checksum; permissions 0600, as it holds unpublished drafts."""
    build_archive()
    path = tmp_path / "archive.jsonl"
    call_command("export_archive", str(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    manifest, *body, end = (json.loads(line) for line in lines)
    assert manifest["format"] == "bulletin-archive" and manifest["version"] == 1
    listed = {entry["table"]: entry["rows"] for entry in manifest["tables"]}
    assert listed["bulletins.issue"] == 5 and listed["bulletins.article"] == 10
    issue_fields = next(e["fields"] for e in manifest["tables"] if e["table"] == "bulletins.issue")
    assert {"status", "published_at", "created_at", "updated_at"} <= set(issue_fields)
    assert len(body) == sum(listed.values()) == end["rows"]
    digest = hashlib.sha256("".join(line + "\n" for line in lines[1:-1]).encode())
    assert end["sha256"] == digest.hexdigest()
    draft = next(
        r["row"] for r in body if r["table"] == "bulletins.issue" and r["row"]["number"] == 637
    )
    assert draft["status"] == "draft" and draft["series"] == Series.objects.get(slug="weekly").pk
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.django_db(transaction=True)
def test_a_compressed_archive_round_trips(client, tmp_path):
    """Outside a test transaction, as the commands run (the export reads one snapshot)."""
    factories.ensure_series()
    build_archive()
    before = rows()
    path = tmp_path / "archive.jsonl.gz"
    call_command("export_archive", str(path))
    assert gzip.open(path, "rt").readline().startswith('{"format":"bulletin-archive"')
    empty_the_database()
    call_command("import_archive", str(path))
    assert rows() == before


@pytest.fixture
def exported(tmp_path):
    """An archive file of build_archive(), and the database emptied afterwards."""
    build_archive()
    path = tmp_path / "archive.jsonl"
    call_command("export_archive", str(path))
    empty_the_database()
    return path


@pytest.mark.django_db
def test_a_database_with_content_is_refused_unless_told_to_replace_it(exported):
    factories.article(title="现有的文章")
    before = rows()
    with pytest.raises(CommandError, match="--replace"):
        call_command("import_archive", str(exported))
    assert rows() == before
    call_command("import_archive", str(exported), replace=True)
    assert not Article.objects.filter(title="现有的文章").exists()
    assert Issue.objects.count() == 5


def rewrite(path, change):
    """Apply ``change`` to the row lines and write a matching manifest and end line (a
    consistent but wrong archive), so that the database itself must refuse it."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    manifest, body = json.loads(lines[0]), change(lines[1:-1])
    for entry in manifest["tables"]:
        entry["rows"] = sum(json.loads(text)["table"] == entry["table"] for text in body)
    digest = hashlib.sha256("".join(body).encode()).hexdigest()
    end = {"end": True, "rows": len(body), "sha256": digest}
    path.write_text(
        json.dumps(manifest) + "\n" + "".join(body) + json.dumps(end) + "\n", encoding="utf-8"
    )


def duplicate_article_position(body):
    for index, text in enumerate(body):
        data = json.loads(text)
        if data["table"] == "bulletins.article":
            data["row"]["id"] += 10_000  # same issue and position as the original row
            return [
                *body[: index + 1],
                json.dumps(data, ensure_ascii=False) + "\n",
                *body[index + 1 :],
            ]
    raise AssertionError("no article row")


def bad_date(body):
    data = json.loads(body[2])  # after the two series, the first issue: line 4 of the file
    data["row"]["publication_date"] = "2025-02-30"
    return [*body[:2], json.dumps(data, ensure_ascii=False) + "\n", *body[3:]]


def unknown_issue(body):
    data = json.loads(next(t for t in body if '"table":"bulletins.article"' in t))
    data["row"].update(id=99_999, issue=424_242, position=1)
    return [*body, json.dumps(data, ensure_ascii=False) + "\n"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "damage, complaint",
    [
        (lambda p: p.write_text("".join(p.read_text().splitlines(True)[:-3])), "ends early"),
        (lambda p: p.write_text(p.read_text().replace("第1期的文章", "改过的文章")), "checksum"),
        (lambda p: p.write_text(p.read_text().replace('"version":1', '"version":2', 1)), "version"),
        (lambda p: p.write_text("not json\n"), "Not an archive"),
        (lambda p: rewrite(p, bad_date), "Line 4 is not a row"),
        (lambda p: rewrite(p, duplicate_article_position), "does not fit"),
        (lambda p: rewrite(p, unknown_issue), "does not fit"),
    ],
    ids=[
        "truncated",
        "altered",
        "newer-version",
        "not-an-archive",
        "bad-value",
        "unique",
        "foreign-key",
    ],
)
def test_a_bad_archive_changes_nothing(exported, damage, complaint):
    """Each fault is named, and the database is exactly as it was before the attempt."""
    before = rows()
    damage(exported)
    with pytest.raises(CommandError, match=complaint):
        call_command("import_archive", str(exported))
    assert rows() == before


@pytest.mark.django_db
def test_a_restore_is_seen_at_once_through_the_page_cache(client, settings, tmp_path):
    """Pages cached before the restore are not served after it: the content version moves."""
    settings.PAGE_CACHE_SECONDS = 600
    build_archive()
    path = tmp_path / "archive.jsonl"
    call_command("export_archive", str(path))
    Article.objects.filter(title__startswith="第0期").update(title="恢复前临时改的标题")
    factories.issue(number=700)
    assert "恢复前临时改的标题" in client.get("/issues/weekly/636/").text
    call_command("import_archive", str(path), replace=True)
    page = client.get("/issues/weekly/636/").text
    assert "第0期的文章：数据要素赋能医疗" in page and "恢复前临时改的标题" not in page


@isolate_apps("bulletins")
@pytest.mark.django_db
def test_a_link_to_an_editor_is_written_by_username_and_restored_when_they_exist():
    """Fields other helpers add (say, who approved an issue) are carried generically: a
    user is written by username, found again by it, and left empty (with a warning) when
    this database has no such user."""

    class Approval(models.Model):
        approved_by = models.ForeignKey(
            get_user_model(), null=True, on_delete=models.SET_NULL, related_name="+"
        )
        required_by = models.ForeignKey(
            get_user_model(), on_delete=models.CASCADE, related_name="+"
        )
        note = models.CharField(max_length=20)

        class Meta:
            app_label = "bulletins"

        def __str__(self):
            return self.note

    reviewer = get_user_model().objects.create_user("reviewer-li")
    table = Table(Approval, inside={Approval})
    row = table.encode(Approval(pk=7, approved_by=reviewer, required_by=reviewer, note="同意"))
    assert row == {
        "id": 7,
        "approved_by": ["reviewer-li"],
        "required_by": ["reviewer-li"],
        "note": "同意",
    }

    warnings = []
    restored = table.decode(row, warnings.append)
    assert restored.approved_by_id == reviewer.pk and warnings == []

    row = {**row, "approved_by": ["gone-editor"]}
    restored = Table(Approval, inside={Approval}).decode(row, warnings.append)
    assert restored.approved_by_id is None
    assert warnings == [
        "bulletins.approval 7 approved_by: no auth.User ['gone-editor'] in this database; "
        "left empty."
    ]
    with pytest.raises(ArchiveError, match="gone-editor"):
        Table(Approval, inside={Approval}).decode(
            {**row, "required_by": ["gone-editor"]}, warnings.append
        )


# --- Into a new database, as the README tells an operator ----------------------------------


def a_new_database():
    """What `migrate` makes on a new machine: no content, no history, no uploads, and no
    accounts (the series and the groups 编辑 and 审核, as the migrations make them)."""
    empty_the_database()
    Revision.objects.all().delete()
    PendingImport.objects.all().delete()
    get_user_model().objects.all().delete()


def restore(path) -> str:
    """import_archive through the command; returns what it warned about."""
    warnings = io.StringIO()
    call_command("import_archive", str(path), stdout=io.StringIO(), stderr=warnings)
    return warnings.getvalue()


def pending_upload(user, name="周报701.txt"):
    return PendingImport.objects.create(
        batch=uuid.uuid4(), user=user, name=name, data="第七〇一期 待确认".encode()
    )


@pytest.mark.django_db
def test_an_unconfirmed_upload_is_not_archived_and_does_not_stop_a_restore(tmp_path):
    build_archive()
    pending_upload(factories.editor("editor-zhao"))
    path = tmp_path / "archive.jsonl"
    call_command("export_archive", str(path), stdout=io.StringIO())
    text = path.read_text(encoding="utf-8")
    assert "bulletins.pendingimport" not in text and "周报701" not in text

    a_new_database()  # editor-zhao has no account here
    restore(path)
    assert Issue.objects.count() == 5 and Article.objects.count() == 10
    assert not PendingImport.objects.exists()


def with_old_pending_upload(path, user_key):
    """The archive as an older site wrote it: the uploads' table listed, one row of it."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    manifest, body = json.loads(lines[0]), lines[1:-1]
    fields = ["id", "batch", "position", "user", "name", "data", "uploaded_at"]
    fields += ["parsed", "outcome"]
    manifest["tables"].append({"table": "bulletins.pendingimport", "rows": 1, "fields": fields})
    row = dict.fromkeys(fields)
    row.update(id=str(uuid.uuid4()), batch=str(uuid.uuid4()), position=0, user=user_key)
    row.update(name="周报701.txt", data="56ys", uploaded_at="2025-08-08T01:00:00+00:00")
    body.append(json.dumps({"table": "bulletins.pendingimport", "row": row}) + "\n")
    end = {"end": True, "rows": len(body), "sha256": hashlib.sha256("".join(body).encode())}
    end["sha256"] = end["sha256"].hexdigest()
    path.write_text(
        json.dumps(manifest) + "\n" + "".join(body) + json.dumps(end) + "\n", encoding="utf-8"
    )


@pytest.mark.django_db
def test_an_older_archive_with_unconfirmed_uploads_restores_without_them(tmp_path):
    """Format 1 as written before uploads were left out: their rows are read (the checksum
    covers them), skipped, and the warning says so."""
    path = tmp_path / "archive.jsonl"
    build_archive()
    call_command("export_archive", str(path), stdout=io.StringIO())
    with_old_pending_upload(path, ["editor-zhao"])
    a_new_database()
    warnings = restore(path)
    assert "bulletins.pendingimport: 1 rows skipped" in warnings
    assert Issue.objects.count() == 5 and not PendingImport.objects.exists()


def print_page(issue) -> str:
    url = reverse("bulletins:issue-print", args=[issue.series.slug, issue.number])
    response = Client().get(url)
    assert response.status_code == 200
    return response.text


@pytest.mark.django_db
def test_sign_offs_find_their_accounts_by_username_at_restore_or_when_created(tmp_path):
    signed_at = factories.local_time(2025, 8, 8, 9, 30)
    wang = factories.reviewer("reviewer-wang", last_name="王", first_name="芳")
    li = factories.reviewer("reviewer-li", last_name="李", first_name="强")
    factories.issue(number=636, approved_by=wang, approved_at=signed_at)
    factories.issue(number=637, approved_by=li, approved_at=signed_at)
    path = tmp_path / "archive.jsonl"
    call_command("export_archive", str(path), stdout=io.StringIO())

    a_new_database()
    factories.staff_user("someone-first")  # ids here differ from the old database's
    # Only reviewer-wang's account is created before the restore.
    wang = factories.reviewer("reviewer-wang", last_name="王", first_name="芳")
    warnings = restore(path)
    signed, unsigned = Issue.objects.get(number=636), Issue.objects.get(number=637)
    assert signed.approved_by == wang and "签发：王芳　2025年8月8日" in print_page(signed)
    assert unsigned.approved_by is None and unsigned.approved_at == signed_at
    assert "'reviewer-li'" in warnings and "linked when an account named" in warnings
    assert "签发：2025年8月8日" in print_page(unsigned)
    pending = tmp_path / "pending.jsonl"  # a backup taken while the sign-off waits
    call_command("export_archive", str(pending), stdout=io.StringIO())

    li = factories.reviewer("reviewer-li", last_name="李", first_name="强")
    unsigned.refresh_from_db()
    assert unsigned.approved_by == li and not PendingSignOff.objects.exists()
    assert "签发：李强　2025年8月8日" in print_page(unsigned)

    # The backup taken meanwhile keeps the username, linked when restored after the
    # account exists.
    a_new_database()
    li = factories.reviewer("reviewer-li", last_name="李", first_name="强")
    assert "reviewer-wang" in restore(pending)
    assert Issue.objects.get(number=637).approved_by == li
    assert PendingSignOff.objects.get().username == "reviewer-wang"


@pytest.mark.django_db
def test_a_pending_sign_off_is_forgotten_once_the_issue_is_signed_again(tmp_path):
    reviewer = factories.reviewer("reviewer-li")
    factories.issue(number=636, approved_by=reviewer, approved_at=timezone.now())
    path = tmp_path / "archive.jsonl"
    call_command("export_archive", str(path), stdout=io.StringIO())
    a_new_database()
    restore(path)
    issue = Issue.objects.get(number=636)
    other = factories.reviewer("reviewer-zhou")
    Issue.objects.filter(pk=issue.pk).update(approved_by=other)  # as publishing again does
    factories.reviewer("reviewer-li")
    issue.refresh_from_db()
    assert issue.approved_by == other and not PendingSignOff.objects.exists()


def admin_url(name, *args):
    return reverse(f"admin:bulletins_issue_{name}", args=args)


def save(client, issue, **changes):
    """Save the issue's admin form with some fields changed, as an editor would."""
    response = post_form(client, admin_url("change", issue.pk), "issue_form", changes)
    assert response.status_code == 302, response.text[:2000]


def edit_and_delete():
    """Three saves of one draft through the admin by 李娜, one by an account that will
    not be created again; a published issue signed by 王芳, saved, then deleted."""
    editor = factories.editor("editor-li", last_name="李", first_name="娜")
    reviewer = factories.reviewer("reviewer-wang", last_name="王", first_name="芳")
    client = Client()
    client.force_login(editor)
    draft = factories.draft_issue(number=701, intro="第一稿。")
    factories.article(issue_obj=draft, title="留下的文章", body="原来的正文。")
    for intro in ("第二稿。", "第三稿。", "第四稿。"):
        save(client, draft, intro=intro)
    with history.recorded(factories.editor("editor-gone"), "导入"):
        draft.intro = "第五稿。"
        draft.save()
    signed = factories.issue(number=712, approved_by=reviewer, approved_at=timezone.now())
    tag, source = factories.tag("医保"), factories.source("新华社")
    factories.article(issue_obj=signed, title="第一篇", body="**加粗**的正文。", tags=[tag])
    factories.article(issue_obj=signed, title="第二篇", source=source)
    client.force_login(reviewer)
    save(client, signed, intro="删除前的导语。")
    response = client.post(admin_url("delete", signed.pk), {"post": "yes"})
    assert response.status_code == 302 and not Issue.objects.filter(number=712).exists()
    return draft


def history_rows():
    return {
        "revisions": list(Revision.objects.order_by("pk").values()),
        "versions": list(Version.objects.order_by("pk").values()),
    }


@pytest.mark.django_db
def test_the_history_round_trips_row_for_row(tmp_path):
    build_archive()
    edit_and_delete()
    before = rows()
    assert len(before["reversion.Revision"]) == 5 and before["reversion.Version"]
    path = tmp_path / "archive.jsonl"
    call_command("export_archive", str(path), stdout=io.StringIO())
    empty_the_database()
    Revision.objects.all().delete()
    assert restore(path) == ""
    assert rows() == before
    # Over the same content and history: --replace replaces the history too.
    call_command("import_archive", str(path), replace=True, stdout=io.StringIO())
    assert rows() == before


@pytest.mark.django_db
def test_after_a_restore_history_compare_restore_and_recovering_a_deleted_issue_work(
    tmp_path,
):
    draft = edit_and_delete()
    versions_before = len(history.issue_versions(draft))
    path = tmp_path / "archive.jsonl"
    call_command("export_archive", str(path), stdout=io.StringIO())
    manifest = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    listed = {entry["table"]: entry["rows"] for entry in manifest["tables"]}
    assert listed["reversion.revision"] == 5

    a_new_database()
    factories.staff_user("someone-first")  # ids here differ from the old database's
    editor = factories.editor("editor-li", last_name="李", first_name="娜")
    reviewer = factories.reviewer("reviewer-wang", last_name="王", first_name="芳")
    warnings = restore(path)
    assert "1 revisions were made by accounts not in this database (editor-gone)" in warnings

    # The draft's 历史: every version, with who made it where the account exists.
    versions = list(history.issue_versions(draft))
    assert len(versions) == versions_before == 4
    assert [v.revision.user for v in versions] == [None, editor, editor, editor]
    client = Client()
    client.force_login(reviewer)
    page = client.get(admin_url("history", draft.pk)).text
    assert page.count("李娜") == 3 and "导入" in page
    compare = client.get(admin_url("compare", draft.pk), {"old": versions[3].pk, "new": "current"})
    assert compare.status_code == 200 and "第<del>二</del><ins>五</ins>稿。" in compare.text
    response = client.post(admin_url("restore", draft.pk, versions[2].pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.intro == "第三稿。"
    assert history.issue_versions(draft).first().revision.user == reviewer

    # 已删除的期刊: the deleted issue as last recorded, its sign-off by username, and back.
    page = client.get(admin_url("deleted")).text
    assert "周报 第七一二期" in page and "第一篇" in page and "第二篇" in page
    (version,) = history.deleted_issue_versions()
    assert version.field_dict["approved_by_id"] == reviewer.pk
    response = client.post(admin_url("deleted"), {"version": version.pk})
    recovered = Issue.objects.get(series__slug="weekly", number=712)
    assert response["Location"] == admin_url("change", recovered.pk)
    assert recovered.status == Issue.Status.DRAFT and recovered.approved_by is None
    assert recovered.intro == "删除前的导语。"
    articles = list(recovered.articles.order_by("position"))
    assert [a.title for a in articles] == ["第一篇", "第二篇"]
    assert "<strong>加粗</strong>" in articles[0].body_html
    assert [t.name for t in articles[0].tags.all()] == ["医保"]
    assert articles[1].source.name == "新华社"
