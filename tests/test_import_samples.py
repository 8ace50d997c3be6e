"""The three real bulletins (../shared/samples) imported into the database, row by row.

The samples are never copied into the repository; these tests skip when they are absent.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest

from bulletins.importing import parse_document
from bulletins.importing.load import load_bulletin
from bulletins.models import Issue, Source

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"sample bulletins not available at {SAMPLES}"),
]


@dataclass
class Expected:
    title: str
    source: str
    link: str
    date: datetime.date
    first_paragraph: str  # how the body's first paragraph starts
    last_paragraph: tuple[str, str]  # how the last paragraph starts and ends


@dataclass
class ExpectedIssue:
    series: str
    number: int
    published: datetime.date
    period: tuple[datetime.date, datetime.date]
    articles: list[Expected]


D = datetime.date
EXPECTED = {
    "weekly-636.txt": ExpectedIssue(
        "weekly",
        636,
        D(2025, 8, 8),
        (D(2025, 8, 2), D(2025, 8, 8)),
        [
            Expected(
                "推动人工智能、大数据等技术应用于医保",
                "中国科技网",
                # '…t20250804 242 9889. shtml' in the document: spaces taken out.
                "http://www.ce.cn/cysc/newmain/yc/jsxw/202508/t202508042429889.shtml",
                D(2025, 8, 4),
                '"长三角三省一市的医保数据经脱敏处理后',
                ("夏科家介绍", '为医保数据创新项目孵化、转化按下"快捷键"。'),
            ),
            Expected(
                "2025 全国智慧医保大赛正式启动",
                "央广网",
                "https://health.cnr.cn/yg/20250804/t20250804_527300930.shtm",
                D(2025, 8, 4),
                "央广网北京 8 月 4 日消息",
                ("在赛程安排方面", "大赛最终将评选出一等奖、二等奖、三等奖及优胜奖若干名。"),
            ),
            Expected(
                '智慧北京 机器人"上岗"超百场景',
                "北京日报",
                "",  # the document gives no link
                D(2025, 8, 5),
                "吃饭时有机器人服务员和大厨",
                ("", "为市民带来一场融合科技与美食的沉浸式体验。本报记者曹政"),
            ),
        ],
    ),
    "weekly-596.md": ExpectedIssue(
        "weekly",
        596,
        D(2024, 10, 18),
        (D(2024, 10, 12), D(2024, 10, 18)),
        [
            Expected(
                "2024 全国智慧医保大赛决赛在重庆正式启动",
                "人民网",
                "http://cq.people.com.cn/n2/2024/1012/c365406-41005835.html",
                D(2024, 10, 12),
                "10月11日,2024全国智慧医保大赛决赛在重庆两江新区",
                ("重庆市医保局党组书记、局长邓莉表示", "为推进数字重庆建设贡献医保力量。”邓莉说。"),
            ),
            Expected(
                "上海静安举办全国首个区块链“场景集市” 聚焦“区块链+医疗”领域",
                "上海市静安区人民政府",
                "https://www.jingan.gov.cn/rmtzx/003001/20241012/"
                "b33cc1e7-e0a1-4737-affe-716726dd8880.html",  # a stray 'html' line dropped
                D(2024, 10, 12),
                "10月10日，“数通链谷”场景集市系列活动首站",
                ("本次活动由上海市数据局、静安区人民政府指导", "有限公司承办。"),
            ),
            Expected(
                "专家热议：以新质生产力赋能医疗健康高质量发展",
                "人民网",
                "http://health.people.com.cn/n1/2024/1016/c14739-40340602.html",
                D(2024, 10, 16),
                "发展新质生产力是推动医疗健康高质量发展的内在要求",
                ("在互动交流环节", "深圳市医院协会执行会长兼秘书长李学进主持交流。"),
            ),
        ],
    ),
    "monthly-542.txt": ExpectedIssue(
        "monthly",
        542,
        D(2025, 1, 31),
        (D(2025, 1, 1), D(2025, 1, 31)),
        [
            Expected(
                "区两会 | 西城区今年将推动开展城市全域数字化转型示范区建设",
                "新京报",
                "https://www.bjnews.com.cn/detail/1736161955129339.html",
                D(2025, 1, 6),
                "新京报讯（记者戴轩）2025年西城区“两会”近日开幕。",
                ("今年，西城区还将制定", "引领数字经济企业创新发展。"),
            ),
            Expected(
                "报告解读 | 检查检验结果线上互认，今年将覆盖 200 家医院",
                "新京报",
                "https://www.bjnews.com.cn/detail/1736854711129187.html",
                D(2025, 1, 14),
                "新京报讯（记者戴轩）北京患者可以在更多医院互认检查结果。",
                ("《方案》中所称检查结果", "检查检验结果不包括医师出具的诊断结论。"),
            ),
            Expected(
                "今年本市将实施“人工智能+”行动计划 委员热议AI赋能智慧城市新场景",
                "北京青年报",
                # '…content_297791.htm?' then 'div=-1' on the next line, repeated: joined once.
                "https://epaper.ynet.com/html/2025-01/16/content_297791.htm?div=-1",
                D(2025, 1, 16),
                "实施“人工智能+”行动计划,鼓励医疗、教育、先进制造等重点领域",
                ("芮玉奎建议", "推动农业产业的持续发展和升级。"),
            ),
            Expected(
                "云胶片服务标准座谈会在京举办",
                "中国城市网",
                "https://www.zgcsb.com/news/pinDao/2025-01/14/a_565585.html",
                D(2025, 1, 21),
                "中国城市网北京1月14日电（记者刁静严）",
                ("会上，各专家学者根据自身经历与切身经验", "推动标准化建立等议题进行充分交流。"),
            ),
        ],
    ),
}


def import_sample(name: str) -> Issue:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"sample {name} not available at {SAMPLES}")
    return load_bulletin(parse_document(name, path.read_bytes())).issue


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sample_is_stored_faithfully(name):
    expected = EXPECTED[name]
    issue = Issue.objects.select_related("series").get(pk=import_sample(name).pk)
    assert (issue.series.slug, issue.number) == (expected.series, expected.number)
    assert issue.publication_date == expected.published
    assert (issue.period_start, issue.period_end) == expected.period
    assert issue.status == Issue.Status.DRAFT

    articles = list(issue.articles.select_related("source").order_by("position"))
    assert len(articles) == len(expected.articles)
    for position, (article, want) in enumerate(zip(articles, expected.articles, strict=True), 1):
        assert article.position == position
        assert article.title == want.title
        assert article.source.name == want.source
        assert article.original_url == want.link
        assert article.original_date == want.date
        paragraphs = article.body.split("\n\n")
        assert paragraphs[0].startswith(want.first_paragraph), paragraphs[0][:60]
        start, end = want.last_paragraph
        assert paragraphs[-1].startswith(start) and paragraphs[-1].endswith(end), paragraphs[-1]
        assert article.body_html.startswith("<p>")


def test_the_samples_share_sources_instead_of_repeating_them():
    """人民网 twice in 596 and 新京报 twice in 542 are one source each; nothing is duplicated."""
    for name in sorted(EXPECTED):
        import_sample(name)
    names = list(Source.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(
        {article.source for issue in EXPECTED.values() for article in issue.articles}
    )
    people = Source.objects.get(name="人民网")
    assert people.articles.count() == 2 and people.kind == Source.Kind.CENTRAL
    for name in sorted(EXPECTED):
        import_sample(name)
    assert Source.objects.count() == len(names)
    assert Issue.objects.count() == 3
