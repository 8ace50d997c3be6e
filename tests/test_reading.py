"""What the pages give readers and assistive technology, as the test client sees it: heading
levels in order, every form control named, the footer's records. (The browser tests in
tests/browser check the same pages with axe-core and real layout.)"""

import datetime
import re

import pytest
from django.urls import reverse

from bulletins.text.markdown import render_markdown, with_headings_from
from tests import factories

BODY = "导语段落。\n\n# 一级标题\n\n正文。\n\n## 二级标题\n\n正文。\n\n#### 四级标题\n\n正文。"


def heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[ >]", html)]


def test_body_headings_are_renumbered_from_the_level_the_page_asks_for():
    """A body's highest heading becomes the requested level; the others keep their order."""
    html = render_markdown(BODY)
    assert heading_levels(with_headings_from(html, 2)) == [3, 2, 4]
    assert heading_levels(with_headings_from(html, 4)) == [5, 4, 6]
    assert with_headings_from("<p>无标题</p>", 2) == "<p>无标题</p>"


def test_renumbering_never_goes_below_h6_and_leaves_text_alone():
    html = render_markdown("## 标题\n\n###### 最小\n\n正文写着 <h2> 字样。")
    shifted = with_headings_from(html, 4)
    assert heading_levels(shifted) == [4, 6]
    assert "&lt;h2&gt;" in shifted


@pytest.mark.django_db
def test_article_and_issue_pages_keep_headings_in_order(client):
    """Article page: h1 then the body's headings from h2. Issue page: each article's h3
    title, then its body's headings from h4."""
    issue = factories.issue(number=636)
    article = factories.article(issue_obj=issue, body="### 小标题\n\n正文。")
    article_page = client.get(article.get_absolute_url()).text
    assert "<h2>小标题</h2>" in article_page
    issue_page = client.get(issue.get_absolute_url()).text
    assert "<h4>小标题</h4>" in issue_page
    levels = heading_levels(issue_page)
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False))


@pytest.mark.django_db
def test_the_date_range_inputs_are_named_each(client):
    """The article filter's two date inputs have names of their own, not just a legend."""
    page = client.get(reverse("bulletins:article-list")).text
    assert re.search(r'<input type="date" name="date_after" aria-label="起始日期"', page)
    assert re.search(r'<input type="date" name="date_before" aria-label="截止日期"', page)


@pytest.mark.django_db
def test_admin_publication_time_inputs_are_named_each(admin_client):
    """The split date/time inputs of 公开时间 say which is the date and which the time."""
    page = admin_client.get(reverse("admin:bulletins_issue_add")).text
    assert 'aria-label="公开时间（日期）"' in page
    assert 'aria-label="公开时间（时间）"' in page


@pytest.mark.django_db
def test_admin_pages_load_the_accessibility_mends(admin_client):
    page = admin_client.get(reverse("admin:bulletins_issue_changelist")).text
    assert "css/admin.css" in page and "js/admin-a11y.js" in page


@pytest.mark.django_db
def test_footer_shows_both_records_when_configured(client, settings):
    """备案: the ICP record links to the MIIT register, the public-security record to its
    query page with the record's number."""
    settings.SITE_ICP_RECORD = "京ICP备12345678号-1"
    settings.SITE_PSB_RECORD = "京公网安备11010502000001号"
    page = client.get(reverse("bulletins:home")).text
    assert (
        '<a href="https://beian.miit.gov.cn/" rel="noopener nofollow">京ICP备12345678号-1</a>'
        in page
    )
    assert "webSearch?code=11010502000001" in page and "京公网安备11010502000001号" in page


@pytest.mark.django_db
def test_footer_without_records_names_the_publisher(client, settings):
    settings.SITE_ICP_RECORD = ""
    settings.SITE_PSB_RECORD = ""
    page = client.get(reverse("bulletins:home")).text
    assert "beian" not in page
    assert "编发：北京市卫生健康大数据与政策研究中心" in page


@pytest.mark.django_db
def test_the_monitoring_period_is_given_as_dates_that_stay_on_one_line(client):
    """监测时段 names its two days as <time> elements (kept whole by the stylesheet)."""
    issue = factories.issue(
        number=637,
        period_start=datetime.date(2025, 8, 2),
        period_end=datetime.date(2025, 8, 8),
    )
    page = client.get(issue.get_absolute_url()).text
    assert (
        '监测时段：<time datetime="2025-08-02">2025年8月2日</time>'
        '至<time datetime="2025-08-08">2025年8月8日</time>'
    ) in page
