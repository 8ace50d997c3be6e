"""The text/Markdown bulletin parser over constructed documents (tests/fixtures/bulletins)."""

import datetime
from pathlib import Path

import pytest

from bulletins.importing import BulletinParseError, ParsedBulletin, parse_document, parse_text

FIXTURES = Path(__file__).parent / "fixtures" / "bulletins"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def messages(bulletin: ParsedBulletin) -> str:
    return "\n".join(problem.message for problem in bulletin.warnings)


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


# --- a plain-text 周报 with full-width punctuation ----------------------------------------


@pytest.fixture(scope="module")
def weekly_701() -> ParsedBulletin:
    return parse_text(fixture("weekly-701.txt"))


def test_masthead_with_zero_written_as_ling_circle(weekly_701):
    assert weekly_701.series_name == "全国卫生信息化舆情监测周报"
    assert weekly_701.series_slug == "weekly"
    assert weekly_701.number == 701
    assert weekly_701.publisher == "北京市卫生健康大数据与政策研究中心"
    assert weekly_701.publication_date == datetime.date(2026, 3, 13)


def test_intro_and_period(weekly_701):
    assert weekly_701.intro.startswith("本期周报共收集3篇卫生健康大数据与政策研究相关信息")
    assert weekly_701.period_start == datetime.date(2026, 3, 7)
    assert weekly_701.period_end == datetime.date(2026, 3, 13)


def test_table_of_contents(weekly_701):
    assert [(entry.title, entry.source) for entry in weekly_701.toc] == [
        ("某省推进电子健康档案跨院调阅", "示例健康报"),
        ("社区医院引入智能随访助手", "示例晚报"),
        ("医学影像云平台覆盖百家机构", "示例科技网"),
    ]
    assert weekly_701.toc[0].line == 12


def test_article_fields(weekly_701):
    first, second, third = weekly_701.articles
    assert (first.position, first.line) == (1, 26)
    assert first.title == "某省推进电子健康档案跨院调阅"
    assert first.source == "示例健康报"
    assert first.link == "https://news.example.org/health/2026/0309/c1001-30112233.html"
    assert first.original_date == datetime.date(2026, 3, 9)
    assert first.original_title == ""
    assert second.link == (
        "https://www.example-evening.cn/content/2026-03/10/content_88123.htm?from=bulletin"
    )
    assert third.link == ""
    assert third.original_title == "影像云平台接入机构突破一百家 患者可在线查看胶片"


def test_body_rejoins_hard_line_breaks_without_spaces(weekly_701):
    body = weekly_701.articles[0].body
    assert "年底前实现全省覆盖。试点期间，已有 42 家医院接入平台，累计调阅档案超过十万份。" in body


def test_body_joins_a_paragraph_broken_by_a_blank_line(weekly_701):
    last = paragraphs(weekly_701.articles[0].body)[-1]
    assert last.endswith("让数据多跑路、群众少跑腿。")
    assert "第52行：段落被空行断开" in messages(weekly_701)


def test_body_removes_stray_spaces_between_chinese_characters(weekly_701):
    body = weekly_701.articles[1].body
    assert "在城东一家社区卫生服务中心" in body
    assert "查看本人档案。" in weekly_701.articles[0].body


def test_body_keeps_spaces_around_latin_words_and_numbers(weekly_701):
    assert "已接入 103 家医疗机构，覆盖 CT、MRI 和 DR 等常见检查" in weekly_701.articles[2].body


def test_sub_headings(weekly_701):
    assert "### 三项重点任务" in paragraphs(weekly_701.articles[0].body)
    third = paragraphs(weekly_701.articles[2].body)
    assert third[0] == "### （一）接入范围"
    assert "### （二）下一步安排" in third


def test_photo_caption_is_an_emphasis_paragraph(weekly_701):
    assert "*护士正在查看随访助手生成的提醒清单。本报记者 林某 摄*" in paragraphs(
        weekly_701.articles[1].body
    )


def test_markdown_significant_characters_are_escaped(weekly_701):
    assert paragraphs(weekly_701.articles[1].body)[-1] == "\\*注：以上数据由中心提供，截至3月10日。"


def test_first_and_last_paragraphs(weekly_701):
    body = paragraphs(weekly_701.articles[2].body)
    assert body[-1] == "平台将探索与商业保险理赔对接，减少患者往返打印胶片的次数。"
    first = paragraphs(weekly_701.articles[1].body)[0]
    assert (
        first
        == "出院回家后谁来提醒复查？在城东一家社区卫生服务中心，这个问题交给了一位“数字助手”。"
    )


def test_repairs_and_gaps_are_reported_with_line_numbers(weekly_701):
    text = messages(weekly_701)
    assert "第59行：链接被断成多行" in text
    assert "第77行：第3篇文章缺少链接" in text
    assert all(problem.line > 0 for problem in weekly_701.warnings)


def test_a_clean_document_has_no_cross_check_warnings(weekly_701):
    text = messages(weekly_701)
    assert "目录" not in text and "导语" not in text


# --- header fields on one line, half-width punctuation, positional numerals -------------


@pytest.fixture(scope="module")
def weekly_650() -> ParsedBulletin:
    return parse_text(fixture("weekly-650-inline.txt"))


def test_positional_issue_number_and_date_with_spaces(weekly_650):
    assert weekly_650.number == 650
    assert weekly_650.publication_date == datetime.date(2025, 11, 14)
    assert weekly_650.publisher == "北京市卫生健康大数据与政策研究中心"


def test_period_with_zhi_and_spaces(weekly_650):
    assert (weekly_650.period_start, weekly_650.period_end) == (
        datetime.date(2025, 11, 8),
        datetime.date(2025, 11, 14),
    )
    assert "时间从 2025 年 11 月 8 日至" in weekly_650.intro
    assert "主流媒体及政府网站" in weekly_650.intro


def test_bulleted_toc_with_dun_numbers(weekly_650):
    assert [entry.title for entry in weekly_650.toc] == [
        "互联网诊疗监管平台完成升级",
        "远程会诊 走进山区卫生院",
    ]
    assert [entry.source for entry in weekly_650.toc] == ["示例新闻网", "示例广播网"]


def test_fields_on_the_title_line_and_a_url_with_spaces(weekly_650):
    first = weekly_650.articles[0]
    assert first.title == "互联网诊疗监管平台完成升级"
    assert first.source == "示例新闻网"
    assert first.link == "http://www.example-news.cn/tech/202511/t20251110557788.shtml"
    assert "第13行：链接中有多余的空格" in messages(weekly_650)


def test_title_without_label_source_without_colon_and_stray_html_line(weekly_650):
    second = weekly_650.articles[1]
    assert second.title == "远程会诊 走进山区卫生院"
    assert second.source == "示例广播网"
    assert second.link == "https://health.example-radio.cn/yg/20251112/t20251112_61234.shtml"
    assert "第24行：链接后多余的一行“html”已删除" in messages(weekly_650)


def test_title_date_source_and_body_on_one_line(weekly_650):
    second = weekly_650.articles[1]
    assert second.original_date == datetime.date(2025, 11, 12)
    assert paragraphs(second.body)[0] == "过去看专家要坐半天车，如今在乡镇卫生院就能连线省城医生。"
    assert weekly_650.articles[0].original_date == datetime.date(2025, 11, 10)


# --- a five-article 月报 in Markdown ------------------------------------------------------


@pytest.fixture(scope="module")
def monthly_555() -> ParsedBulletin:
    return parse_text(fixture("monthly-555.md"))


def test_markdown_monthly_masthead(monthly_555):
    assert monthly_555.series_name == "北京市卫生信息化舆情监测月报"
    assert monthly_555.series_slug == "monthly"
    assert monthly_555.number == 555
    assert monthly_555.publication_date == datetime.date(2026, 2, 27)
    assert monthly_555.period_start == datetime.date(2026, 2, 1)


def test_five_articles_in_order(monthly_555):
    assert [article.position for article in monthly_555.articles] == [1, 2, 3, 4, 5]
    assert [article.source for article in monthly_555.articles] == [
        "示例城市报",
        "示例商报",
        "示例青年报",
        "示例政务网",
        "示例健康网",
    ]
    assert [entry.title for entry in monthly_555.toc] == [a.title for a in monthly_555.articles]


def test_markdown_links(monthly_555):
    links = [article.link for article in monthly_555.articles]
    assert links == [
        "https://www.example-city.com.cn/news/2026-02/03/a_100200.html",
        "https://biz.example-shang.cn/detail/1770000000123.html",
        "https://epaper.example-youth.com/html/2026-02/12/content_4455.htm?div=-1",
        "",
        "http://www.example-health.cn/n1/2026/0225/c14739-4050.html",
    ]
    text = messages(monthly_555)
    assert "第91行：链接后重复的片段“div=-1”已删除" in text
    assert "第4篇文章缺少链接" in text


def test_original_title_after_the_date_line(monthly_555):
    third = monthly_555.articles[2]
    assert third.original_title == "120调度有了“导航大脑” 救护车平均提前两分钟到达"
    assert third.body == "调度员接到呼救后，系统会结合实时路况推荐最快路线。"


def test_markdown_body_keeps_bold_headings_captions_and_lists(monthly_555):
    first = paragraphs(monthly_555.articles[0].body)
    assert first[0].startswith("本次扩容将新增 **三类数据** 接入")
    assert "### 建设目标" in first
    assert "*图 | 信息平台机房一角（示例城市报 记者 赵某）*" in first
    assert first[-1] == "扩容完成后，各区可按需调用平台的数据治理能力。"
    last = paragraphs(monthly_555.articles[4].body)
    assert last[-1] == "- 输液监测：余量不足时自动提醒护士站；\n- 床旁终端：患者可查询费用清单。"


def test_markdown_layout_is_detected_without_a_hint():
    text = fixture("monthly-555.md")
    assert (
        parse_text(text, markdown=None).articles[0].body
        == parse_text(text, markdown=True).articles[0].body
    )


# --- cross-checks -------------------------------------------------------------------------


def test_intro_naming_the_other_series_is_a_warning():
    text = fixture("monthly-555.md").replace("本期月报共收集", "本期周报共收集")
    assert "导语中写的是“本期周报”，但本刊是月报" in messages(parse_text(text))


def test_intro_count_disagreeing_with_the_articles_is_a_warning():
    text = fixture("weekly-701.txt").replace("共收集3篇", "共收集4篇")
    assert "导语说共收集4篇，正文有3篇文章" in messages(parse_text(text))


def test_toc_title_and_source_disagreeing_are_warnings():
    text = fixture("weekly-701.txt").replace(
        "2. 社区医院引入智能随访助手", "2. 社区医院引入随访机器人"
    )
    text = text.replace("（示例科技网）", "（示例日报）")
    found = messages(parse_text(text))
    assert (
        "目录标题“社区医院引入随访机器人”与第2篇文章标题“社区医院引入智能随访助手”不一致" in found
    )
    assert "目录来源“示例日报”与第3篇文章来源“示例科技网”不一致" in found


def test_toc_count_disagreeing_is_a_warning():
    text = fixture("weekly-701.txt").replace(
        "3. 医学影像云平台覆盖百家机构\n\n（示例科技网）\n", ""
    )
    assert "目录有2条，正文有3篇文章" in messages(parse_text(text))


def test_article_date_outside_the_period_is_a_warning():
    text = fixture("weekly-701.txt").replace("2026-03-10 来源", "2026-02-10 来源")
    assert "第2篇文章的日期2026-02-10不在本期时间范围内" in messages(parse_text(text))


def test_missing_source_and_date_are_warnings():
    text = fixture("weekly-701.txt").replace("来源：示例晚报\n\n链接：", "链接：", 1)
    text = text.replace("2026-03-10 来源：示例晚报", "来源：示例晚报")
    text = text.replace("来源：示例科技网\n", "", 1).replace("2026-03-11 来源：示例科技网", "")
    bulletin = parse_text(text)
    found = messages(bulletin)
    assert "第54行：第2篇文章缺少原文日期（应为“2025-08-04 来源：……”）" in found
    assert bulletin.articles[1].original_date is None
    assert bulletin.articles[1].source == "示例晚报"
    assert bulletin.articles[1].body.startswith("出院回家后")
    assert "第3篇文章缺少来源（应为“来源：……”）" in found
    assert bulletin.articles[2].source == ""


def test_full_width_digits_and_reordered_spaces_in_structure():
    text = fixture("weekly-701.txt").replace("（第七〇一期）", "( 第 七 〇 一 期 )")
    text = text.replace("2026年3月13日\n", "２０２６ 年 ３ 月 １３ 日\n")
    text = text.replace("1.标题：某省", "1 ． 标 题 ： 某省")
    bulletin = parse_text(text)
    assert bulletin.number == 701
    assert bulletin.publication_date == datetime.date(2026, 3, 13)
    assert bulletin.articles[0].title == "某省推进电子健康档案跨院调阅"


# --- errors ---------------------------------------------------------------------------


def problems_of(text: str) -> list[str]:
    with pytest.raises(BulletinParseError) as caught:
        parse_text(text)
    return [problem.message for problem in caught.value.problems]


def test_missing_series_name_is_an_error():
    text = fixture("weekly-701.txt").replace("全国卫生信息化舆情监测周报\n", "舆情监测\n")
    found = problems_of(text)
    assert any("未找到刊名" in message for message in found)


def test_missing_issue_number_is_an_error():
    found = problems_of(fixture("weekly-701.txt").replace("（第七〇一期）\n", ""))
    assert any("未找到期号" in message for message in found)


def test_unreadable_issue_number_is_an_error():
    found = problems_of(fixture("weekly-701.txt").replace("（第七〇一期）", "（第七X一期）"))
    assert any("第2行：无法识别期号" in message for message in found)


def test_missing_publication_date_is_an_error():
    found = problems_of(fixture("weekly-701.txt").replace("2026年3月13日\n", ""))
    assert any("未找到出版日期" in message for message in found)


def test_no_articles_is_an_error():
    text = fixture("weekly-701.txt").split("1.标题：")[0]
    found = problems_of(text)
    assert any("未找到任何文章" in message for message in found)


def test_article_without_a_title_is_an_error_naming_its_line():
    text = fixture("weekly-701.txt").replace("2.标题：社区医院引入智能随访助手", "2.标题：")
    found = problems_of(text)
    assert "第54行：文章缺少标题（应为“2.标题：……”）" in found


def test_all_problems_are_collected():
    text = fixture("weekly-701.txt").replace("（第七〇一期）\n", "").replace("2026年3月13日\n", "")
    text = text.replace("2.标题：社区医院引入智能随访助手", "2.标题：")
    with pytest.raises(BulletinParseError) as caught:
        parse_text(text)
    assert len(caught.value.problems) == 3
    assert all(message in str(caught.value) for message in problems_of(text))


def test_empty_document():
    assert problems_of("") == ["文档是空的"]
    assert problems_of("\n \n\t\n") == ["文档是空的"]


def test_parse_error_is_a_value_error():
    assert issubclass(BulletinParseError, ValueError)


# --- parse_document ----------------------------------------------------------------------


def test_parse_document_decodes_utf8_with_bom():
    data = "\ufeff".encode() + fixture("weekly-701.txt").encode("utf-8")
    assert parse_document("周报.txt", data).number == 701


def test_parse_document_decodes_gb18030():
    data = fixture("weekly-701.txt").encode("gb18030")
    bulletin = parse_document("weekly.TXT", data)
    assert bulletin.articles[0].title == "某省推进电子健康档案跨院调阅"


def test_parse_document_reads_markdown_extensions():
    data = fixture("monthly-555.md").encode()
    assert parse_document("a.md", data).number == 555
    assert parse_document("a.markdown", data).number == 555


def test_parse_document_handles_crlf_line_ends():
    data = fixture("weekly-701.txt").replace("\n", "\r\n").encode()
    bulletin = parse_document("a.txt", data)
    assert bulletin.articles[1].line == 54


@pytest.mark.parametrize("name", ["bulletin.pdf", "bulletin", "bulletin.doc", ""])
def test_parse_document_rejects_unknown_extensions(name):
    with pytest.raises(BulletinParseError) as caught:
        parse_document(name, b"anything")
    assert "不支持的文件类型" in str(caught.value)
