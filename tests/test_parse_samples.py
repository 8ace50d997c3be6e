"""The parser over the three real bulletins kept outside the repository (../shared/samples).

The samples are never copied into the repository; these tests skip when they are absent.
"""

import datetime
from pathlib import Path

import pytest

from bulletins.importing import parse_document

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"sample bulletins not available at {SAMPLES}"
)


def load(name: str):
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"sample {name} not available at {SAMPLES}")
    return parse_document(name, path.read_bytes())


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


def warnings_of(bulletin) -> str:
    return "\n".join(problem.message for problem in bulletin.warnings)


# --- weekly 636: plain text, a link with spaces in it, an article without a link --------


@pytest.fixture(scope="module")
def weekly_636():
    return load("weekly-636.txt")


def test_weekly_636_masthead(weekly_636):
    assert weekly_636.series_name == "全国卫生信息化舆情监测周报"
    assert weekly_636.series_slug == "weekly"
    assert weekly_636.number == 636
    assert weekly_636.publisher == "北京市卫生健康大数据与政策研究中心"
    assert weekly_636.publication_date == datetime.date(2025, 8, 8)
    assert weekly_636.period_start == datetime.date(2025, 8, 2)
    assert weekly_636.period_end == datetime.date(2025, 8, 8)
    assert weekly_636.intro.startswith("本期周报共收集3篇卫生健康大数据与政策研究相关信息")
    assert "主流媒体及政府网站等。" in weekly_636.intro


def test_weekly_636_toc(weekly_636):
    assert [(entry.title, entry.source) for entry in weekly_636.toc] == [
        ("推动人工智能、大数据等技术应用于医保", "中国科技网"),
        ("2025 全国智慧医保大赛正式启动", "央广网"),
        ('智慧北京 机器人"上岗"超百场景', "北京日报"),
    ]


def test_weekly_636_articles(weekly_636):
    articles = weekly_636.articles
    assert [a.position for a in articles] == [1, 2, 3]
    assert [a.title for a in articles] == [
        "推动人工智能、大数据等技术应用于医保",
        "2025 全国智慧医保大赛正式启动",
        '智慧北京 机器人"上岗"超百场景',
    ]
    assert [a.source for a in articles] == ["中国科技网", "央广网", "北京日报"]
    assert [a.link for a in articles] == [
        "http://www.ce.cn/cysc/newmain/yc/jsxw/202508/t202508042429889.shtml",
        "https://health.cnr.cn/yg/20250804/t20250804_527300930.shtm",
        "",
    ]
    assert [a.original_date for a in articles] == [
        datetime.date(2025, 8, 4),
        datetime.date(2025, 8, 4),
        datetime.date(2025, 8, 5),
    ]
    assert [a.original_title for a in articles] == ["", "", ""]


def test_weekly_636_bodies(weekly_636):
    first, second, third = (paragraphs(a.body) for a in weekly_636.articles)
    assert first[0].startswith('"长三角三省一市的医保数据经脱敏处理后')
    assert first[-1].startswith("夏科家介绍")
    assert first[-1].endswith('为医保数据创新项目孵化、转化按下"快捷键"。')
    assert "推动数据要素与实体经济融合发展" in first[4]
    assert second[0].startswith("央广网北京 8 月 4 日消息")
    assert second[-1].endswith("大赛最终将评选出一等奖、二等奖、三等奖及优胜奖若干名。")
    # Title, date, source and the first sentence of the body share one line in the source.
    assert third[0].startswith("吃饭时有机器人服务员和大厨")
    assert third[0].endswith("在北京,机器人正在解锁越来越多的身份。")
    assert third[-1].endswith("为市民带来一场融合科技与美食的沉浸式体验。本报记者曹政")


def test_weekly_636_headings_and_captions(weekly_636):
    third = paragraphs(weekly_636.articles[2].body)
    assert "### 场景1 智慧医院" in third
    assert "### 数说" in third
    # A caption glued to the sub-heading after it is split in two.
    index = third.index("*北京安贞医院通州院区的智慧药房。本报记者 曹政 摄*")
    assert third[index + 1] == "### 机器人配药 两三分钟备齐"
    assert "*北京市第三十五中学课堂上使用机器人。采访对象 供图*" in third
    assert "*玉渊潭公园里的巡护机器人与无人驾驶巡检车。本报记者 曹政 摄*" in third
    assert "### 煎饼机器人 三分钟摊出一套" in third


def test_weekly_636_warnings(weekly_636):
    found = warnings_of(weekly_636)
    assert "第29行：链接中有多余的空格" in found
    assert "第77行：第3篇文章缺少链接" in found


# --- weekly 596: Markdown, autolinks, a stray 'html' line, paragraphs split by blank lines --


@pytest.fixture(scope="module")
def weekly_596():
    return load("weekly-596.md")


def test_weekly_596_masthead(weekly_596):
    assert weekly_596.series_name == "全国卫生信息化舆情监测周报"
    assert weekly_596.series_slug == "weekly"
    assert weekly_596.number == 596
    assert weekly_596.publisher == "北京市卫生健康大数据与政策研究中心"
    assert weekly_596.publication_date == datetime.date(2024, 10, 18)
    assert (weekly_596.period_start, weekly_596.period_end) == (
        datetime.date(2024, 10, 12),
        datetime.date(2024, 10, 18),
    )


def test_weekly_596_articles(weekly_596):
    articles = weekly_596.articles
    assert [a.title for a in articles] == [
        "2024 全国智慧医保大赛决赛在重庆正式启动",
        "上海静安举办全国首个区块链“场景集市” 聚焦“区块链+医疗”领域",
        "专家热议：以新质生产力赋能医疗健康高质量发展",
    ]
    assert [a.source for a in articles] == ["人民网", "上海市静安区人民政府", "人民网"]
    assert [a.link for a in articles] == [
        "http://cq.people.com.cn/n2/2024/1012/c365406-41005835.html",
        "https://www.jingan.gov.cn/rmtzx/003001/20241012/b33cc1e7-e0a1-4737-affe-716726dd8880.html",
        "http://health.people.com.cn/n1/2024/1016/c14739-40340602.html",
    ]
    assert [a.original_date for a in articles] == [
        datetime.date(2024, 10, 12),
        datetime.date(2024, 10, 12),
        datetime.date(2024, 10, 16),
    ]
    assert [entry.source for entry in weekly_596.toc] == [
        "人民网",
        "上海市静安区人民政府",
        "人民网",
    ]


def test_weekly_596_bodies(weekly_596):
    first, second, third = (paragraphs(a.body) for a in weekly_596.articles)
    assert first[0].startswith("10月11日,2024全国智慧医保大赛决赛在重庆两江新区")
    assert first[1] == "*大赛启动仪式现场。重庆市医疗保障局供图*"
    assert first[-1].endswith("为推进数字重庆建设贡献医保力量。”邓莉说。")
    assert "### 数字技术与现实场景“双向奔赴”" in second
    assert second[-1].startswith("本次活动由上海市数据局、静安区人民政府指导")
    # Paragraphs broken by an empty line in the extraction are put back together.
    assert any("王奕表示，区块链技术为新质生产力的发展提供了有力支撑" in p for p in second)
    assert any("以场景应用为牵引，加速区块链生态发展。" in p for p in second)
    assert third[1] == "*“以新质生产力赋能医疗健康高质量发展”专题交流现场。*"
    assert any("支持使用自然语言对患者进行个体化病情查询" in p for p in third)
    assert third[-1].endswith("深圳市医院协会执行会长兼秘书长李学进主持交流。")


def test_weekly_596_warnings(weekly_596):
    found = warnings_of(weekly_596)
    assert "第39行：链接后多余的一行“html”已删除" in found
    assert "第93行：段落被空行断开" in found


# --- monthly 542: bulleted TOC, a Markdown link broken over two lines, 周报 in the intro --


@pytest.fixture(scope="module")
def monthly_542():
    return load("monthly-542.txt")


def test_monthly_542_masthead(monthly_542):
    assert monthly_542.series_name == "北京市卫生信息化舆情监测月报"
    assert monthly_542.series_slug == "monthly"
    assert monthly_542.number == 542
    assert monthly_542.publisher == "北京市卫生健康大数据与政策研究中心"
    assert monthly_542.publication_date == datetime.date(2025, 1, 31)
    assert (monthly_542.period_start, monthly_542.period_end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 1, 31),
    )


def test_monthly_542_articles(monthly_542):
    articles = monthly_542.articles
    assert len(articles) == 4
    assert [a.title for a in articles] == [
        "区两会 | 西城区今年将推动开展城市全域数字化转型示范区建设",
        "报告解读 | 检查检验结果线上互认，今年将覆盖 200 家医院",
        "今年本市将实施“人工智能+”行动计划 委员热议AI赋能智慧城市新场景",
        "云胶片服务标准座谈会在京举办",
    ]
    assert [a.source for a in articles] == ["新京报", "新京报", "北京青年报", "中国城市网"]
    assert [a.link for a in articles] == [
        "https://www.bjnews.com.cn/detail/1736161955129339.html",
        "https://www.bjnews.com.cn/detail/1736854711129187.html",
        "https://epaper.ynet.com/html/2025-01/16/content_297791.htm?div=-1",
        "https://www.zgcsb.com/news/pinDao/2025-01/14/a_565585.html",
    ]
    assert [a.original_date for a in articles] == [
        datetime.date(2025, 1, 6),
        datetime.date(2025, 1, 14),
        datetime.date(2025, 1, 16),
        datetime.date(2025, 1, 21),
    ]
    assert [entry.source for entry in monthly_542.toc] == [
        "新京报",
        "新京报",
        "北京青年报",
        "中国城市网",
    ]


def test_monthly_542_bodies(monthly_542):
    first, _, third, fourth = (paragraphs(a.body) for a in monthly_542.articles)
    assert first[0].startswith("新京报讯（记者戴轩）2025年西城区“两会”近日开幕。")
    assert first[-1].endswith("引领数字经济企业创新发展。")
    assert "### 人工智能+医疗" in third
    assert "### 打造机器人示范应用医院" in third
    assert any("利用人工智能、大数据等先进技术" in p for p in third)
    assert third[-1].startswith("芮玉奎建议")
    # A long paragraph after an image gap is text, not a caption.
    assert fourth[1].startswith("原国家卫生计生委副主任")
    assert any("等专家学者参会。会议由资深经济学家" in p for p in fourth)
    assert fourth[-1].startswith("会上，各专家学者根据自身经历与切身经验")


def test_monthly_542_warnings(monthly_542):
    found = warnings_of(monthly_542)
    assert "导语中写的是“本期周报”，但本刊是月报" in found
    assert "第93行：链接后重复的片段“div=-1”已删除" in found
    assert "目录标题" not in found  # 'AI 赋能' and 'AI赋能' are the same title
