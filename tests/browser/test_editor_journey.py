"""An editor in the admin: logs in, makes an issue with two articles in its inline forms
(source and tags picked by select2 autocomplete), previews it, publishes it, and finds it
on the home page.

Still to add when they land: the issue in the feeds (feeds), a document imported through
the admin's upload page (importer), and review by a second editor before publishing
(editorial workflow).
"""

from django.urls import reverse
from playwright.sync_api import expect

from bulletins.models import Issue

from .support import BROWSER_TEST, DESKTOP, EDITOR_PASSWORD, open_page

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


def fill_article(page, index: int, title: str, source: str, tag: str, body: str):
    prefix = f"id_articles-{index}"
    page.locator(f"#{prefix}-position").fill(str(index + 1))
    page.locator(f"#{prefix}-title").fill(title)
    autocomplete(page, f"{prefix}-source", source[:2], source)
    autocomplete(page, f"{prefix}-tags", tag[:1], tag)
    page.locator(f"#{prefix}-body").fill(body)


def test_log_in_create_preview_publish_and_see_it_on_the_home_page(
    page, browser, live_server, archive, editor
):
    """The whole way of a new issue, through the admin's own pages only."""
    page.goto(reverse("admin:index"))
    expect(page).to_have_url(reverse("admin:login") + "?next=/admin/", ignore_case=True)
    page.get_by_label("用户名").fill(editor.username)
    page.get_by_label("密码").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#content h1")).to_be_visible()

    page.locator(f'a.addlink[href="{reverse("admin:bulletins_issue_add")}"]').click()
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

    # Preview: staff see the draft at its public address, marked as a preview.
    page.locator(".object-tools").get_by_role("link", name="在站点上查看").click()
    expect(page).to_have_url(live_server.url + issue.get_absolute_url())
    expect(page.locator(".preview-banner")).to_contain_text("预览")
    for title in titles:
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    with open_page(browser, live_server, DESKTOP) as reader:
        assert reader.goto(issue.get_absolute_url()).status == 404

    # Publish.
    page.go_back()
    page.get_by_label("状态").select_option(label="已发布")
    page.get_by_role("button", name="保存", exact=True).first.click()
    expect(page).to_have_url(live_server.url + reverse("admin:bulletins_issue_changelist"))
    expect(page.locator(".messagelist .success")).to_contain_text("成功修改")

    with open_page(browser, live_server, DESKTOP) as reader:
        reader.goto("/")
        latest = reader.get_by_role("region", name=f"周报{issue.label}")
        expect(latest).to_be_visible()
        for title in titles:
            expect(latest.get_by_role("link", name=title)).to_be_visible()
        response = reader.goto(issue.get_absolute_url())
        assert response.status == 200
        expect(reader.locator(".preview-banner")).to_have_count(0)
