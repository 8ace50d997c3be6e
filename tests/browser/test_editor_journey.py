"""The newsroom in the admin, through its own pages only.

An editor (group 编辑, who cannot publish) logs in, makes an issue with two articles in its
inline forms (source and tags picked by select2 autocomplete), previews it and submits it
for review; a reviewer (group 审核) logs in and publishes it with the list action; readers
then find it on the home page and in the issues feed. And an editor imports bulletin
documents (a text file and a Word file): upload, review with warnings, confirm, and the
draft's change page with its articles inline.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bulletins.models import Issue
from tests.test_parse_docx import save, weekly_document

from .support import (
    BROWSER_TEST,
    DESKTOP,
    FIXTURES,
    log_in,
    log_in_with_the_form,
    open_page,
    read_feed,
)

pytestmark = BROWSER_TEST

NEW_NUMBER = 620


def autocomplete(page, select_id: str, typed: str, choice: str):
    """Pick ``choice`` in the select2 widget that stands for <select id=select_id>, by
    typing into its search box as an editor would."""
    container = page.locator(f"#{select_id} + .select2-container")
    container.click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(typed)
    page.locator(".select2-results__option", has_text=choice).first.click()
    expect(container).to_contain_text(choice)


def admin_change_url(issue) -> str:
    return reverse("admin:bulletins_issue_change", args=[issue.pk])


def offers_only_draft_and_review(page):
    """The status select as an editor gets it: no 已发布 (nor a publication time)."""
    expect(page.get_by_label("状态").locator("option")).to_have_text(["草稿", "待审核"])
    expect(page.get_by_label("公开时间（日期）")).to_have_count(0)


def fill_article(page, index: int, title: str, source: str, tag: str, body: str):
    prefix = f"id_articles-{index}"
    page.locator(f"#{prefix}-position").fill(str(index + 1))
    page.locator(f"#{prefix}-title").fill(title)
    autocomplete(page, f"{prefix}-source", source[:2], source)
    autocomplete(page, f"{prefix}-tags", tag[:1], tag)
    page.locator(f"#{prefix}-body").fill(body)


def test_an_editor_drafts_and_submits_an_issue_and_a_reviewer_publishes_it(
    page, browser, live_server, archive, editor, reviewer
):
    """The whole way of a new issue: written and previewed by an editor, who is offered no
    way to publish it; submitted; published by a reviewer; then public, with its feed."""
    log_in_with_the_form(page, editor)
    page.locator(f'a.addlink[href="{reverse("admin:bulletins_issue_add")}"]').click()
    offers_only_draft_and_review(page)
    page.get_by_label("系列").select_option(label="全国卫生信息化舆情监测周报")
    page.get_by_label("期号").fill(str(NEW_NUMBER))
    page.locator("#id_publication_date").fill("2025-06-20")
    page.locator("#id_period_start").fill("2025-06-14")
    page.locator("#id_period_end").fill("2025-06-20")

    add_article = page.locator("#articles-group .add-row a")
    titles = ["新一期头条：电子健康档案向居民开放", "新一期次条：医保移动支付覆盖全市"]
    add_article.click()
    fill_article(page, 0, titles[0], archive.source.name, "人工智能", "第一篇的正文。")
    add_article.click()
    fill_article(page, 1, titles[1], "新华社", archive.tag.name, "第二篇的正文。")
    page.get_by_role("button", name="保存并继续编辑").first.click()

    expect(page.locator(".messagelist .success")).to_be_visible()
    issue = Issue.objects.get(series__slug="weekly", number=NEW_NUMBER)
    expect(page).to_have_url(live_server.url + admin_change_url(issue))
    assert issue.status == Issue.Status.DRAFT
    assert [(a.title, a.source.name) for a in issue.articles.order_by("position")] == [
        (titles[0], archive.source.name),
        (titles[1], "新华社"),
    ]
    assert [t.name for t in issue.articles.get(position=2).tags.all()] == [archive.tag.name]
    offers_only_draft_and_review(page)

    # Preview: staff see the draft at its public address, marked as a preview.
    page.locator(".object-tools").get_by_role("link", name="在站点上查看").click()
    expect(page).to_have_url(live_server.url + issue.get_absolute_url())
    expect(page.locator(".preview-banner")).to_contain_text("预览")
    for title in titles:
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    with open_page(browser, live_server, DESKTOP) as reader:
        assert reader.goto(issue.get_absolute_url()).status == 404

    # Submit for review; the list offers the editor no action that publishes.
    page.go_back()
    page.get_by_label("状态").select_option(label="待审核")
    page.get_by_role("button", name="保存", exact=True).first.click()
    expect(page).to_have_url(live_server.url + reverse("admin:bulletins_issue_changelist"))
    expect(page.locator(".messagelist .success")).to_contain_text("成功修改")
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.REVIEW
    actions = page.get_by_label("动作").locator("option").all_inner_texts()
    assert "提交审核" in actions and not any("发布" in action for action in actions), actions

    # The reviewer publishes it from the issue list.
    with open_page(browser, live_server, DESKTOP) as desk:
        log_in_with_the_form(desk, reviewer)
        desk.goto(reverse("admin:bulletins_issue_changelist") + "?status__exact=review")
        desk.get_by_role("checkbox", name=f"选择此对象执行操作 - {issue}").check()
        desk.get_by_label("动作").select_option(label="审核通过并立即发布")
        desk.get_by_role("button", name="执行").click()
        expect(desk.locator(".messagelist .success")).to_have_text("已签发并发布 1 期。")
    issue.refresh_from_db()
    assert (issue.status, issue.approved_by) == (Issue.Status.PUBLISHED, reviewer)

    with open_page(browser, live_server, DESKTOP) as reader:
        reader.goto("/")
        latest = reader.get_by_role("region", name=f"周报{issue.label}")
        expect(latest).to_be_visible()
        for title in titles:
            expect(latest.get_by_role("link", name=title)).to_be_visible()
        feed_url = reader.get_by_role("link", name="订阅全部简报").get_attribute("href")
        assert feed_url == reverse("bulletins:issues-feed")
        newest = read_feed(reader, feed_url).entries[0]
        assert newest.link == live_server.url + issue.get_absolute_url()
        assert newest.title == issue.title
        assert all(title in newest.content[0].value for title in titles)
        response = reader.goto(issue.get_absolute_url())
        assert response.status == 200
        expect(reader.locator(".preview-banner")).to_have_count(0)


@pytest.mark.parametrize(
    ("name", "document", "heading", "warnings", "titles"),
    [
        (
            "weekly-701.txt",
            lambda: (FIXTURES / "weekly-701.txt").read_bytes(),
            "将新建周报 第七〇一期",
            ["第59行：链接被断成多行", "第77行：第3篇文章缺少链接"],
            [
                "某省推进电子健康档案跨院调阅",
                "社区医院引入智能随访助手",
                "医学影像云平台覆盖百家机构",
            ],
        ),
        (
            "周报650.docx",
            lambda: save(weekly_document()),
            "将新建周报 第六五〇期",
            ["第2篇文章缺少链接"],
            ["某县上线家庭医生签约小程序", "区域检验结果互认平台投入使用"],
        ),
    ],
    ids=["text", "word"],
)
def test_an_editor_imports_a_document_after_reviewing_it(
    page, live_server, editor, name, document, heading, warnings, titles
):
    """Upload, a review of every article beside the warnings, confirmation: the editor
    lands on the new draft's change page with the articles inline."""
    log_in(page, editor, live_server.url)
    page.goto(reverse("admin:bulletins_issue_changelist"))
    page.locator(".object-tools").get_by_role("link", name="导入简报").click()
    page.get_by_label("简报文件").set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": document()}]
    )
    page.get_by_role("button", name="上传并核对").click()

    expect(page.locator("#content h1")).to_have_text("核对导入内容")
    review = page.get_by_role("region", name=name)
    expect(review.get_by_role("heading", level=2)).to_contain_text(heading)
    expect(review.get_by_role("heading", level=4)).to_have_text(
        [f"{n}. {title}" for n, title in enumerate(titles, start=1)]
    )
    problems = review.get_by_role("complementary", name="错误与提醒")
    shown = problems.get_by_role("listitem")
    expect(problems.get_by_role("heading")).to_have_text(f"提醒 {shown.count()} 条")
    for warning in warnings:
        expect(shown.filter(has_text=warning)).to_have_count(1)
    expect(review.get_by_role("checkbox", name="导入此文件")).to_be_checked()
    assert not Issue.objects.exists()  # nothing is written before the confirmation

    page.get_by_role("button", name="确认导入（保存为草稿）").click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        f"“{name}”：已新建{heading.removeprefix('将新建')}（草稿），{len(titles)}篇文章"
    )
    issue = Issue.objects.get()
    expect(page).to_have_url(live_server.url + admin_change_url(issue))
    assert issue.status == Issue.Status.DRAFT
    expect(page.get_by_label("状态")).to_have_value("draft")
    expect(page.locator("#id_articles-INITIAL_FORMS")).to_have_value(str(len(titles)))
    for index, title in enumerate(titles):
        expect(page.locator(f"#id_articles-{index}-title")).to_have_value(title)
