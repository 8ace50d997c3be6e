"""A reader on a phone (390×844): every public page fits the screen's width, the text is
large enough to read, and the navigation and the filter form work by touch. The admin's
pages of our own making fit as well."""

from playwright.sync_api import expect

from .support import BROWSER_TEST, OWN_ADMIN_PAGES, PHONE, PUBLIC_PAGES, admin_pages, log_in

pytestmark = BROWSER_TEST

SMALLEST_READING_SIZE = 15  # px, computed
# The running text of each kind of page: article bodies, the intro, tables of contents,
# list entries and summaries.
READING_TEXT = (
    "main :is(.prose p, .bulletin__intro p, .toc li, .card__summary, .issue-row, "
    ".count-list li, .lead, .body p)"
)

LAYOUT = """selector => {
  const smallest = [...document.querySelectorAll(selector)]
    .map(el => parseFloat(getComputedStyle(el).fontSize));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    body: parseFloat(getComputedStyle(document.body).fontSize),
    smallestText: smallest.length ? Math.min(...smallest) : null,
  };
}"""


def test_every_public_page_fits_a_phone_and_is_readable(phone, archive):
    """No page scrolls sideways on a 390px-wide screen, and body and running text are set at
    15px or more."""
    width = PHONE["viewport"]["width"]
    problems = []
    for name, url_of in PUBLIC_PAGES.items():
        url = url_of(archive)
        phone.goto(url)
        layout = phone.evaluate(LAYOUT, READING_TEXT)
        if layout["scrollWidth"] > width:
            problems.append(f"{name} ({url}): {layout['scrollWidth']}px wide, scrolls sideways")
        smallest = min(filter(None, [layout["body"], layout["smallestText"]]))
        if smallest < SMALLEST_READING_SIZE:
            problems.append(f"{name} ({url}): text at {smallest}px")
    assert not problems, "\n".join(problems)


def test_our_admin_pages_fit_a_phone(phone, archive, reviewer, live_server):
    """The history, comparison, restore and import pages (Django draws the rest of the
    admin) do not scroll sideways: long links and lines wrap."""
    log_in(phone, reviewer, live_server.url)
    urls = admin_pages(archive, reviewer)
    too_wide = {}
    for name in OWN_ADMIN_PAGES:
        phone.goto(urls[name])
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["viewport"]["width"]:
            too_wide[name] = width
    assert not too_wide, too_wide


def test_a_long_unbroken_line_does_not_widen_the_page(phone, archive):
    """An article whose link and citation are one long unbroken string still fits."""
    article = archive.first_article
    article.original_url = "https://news.example.cn/" + "a" * 180 + ".html"
    article.title = "超长标题" * 15
    article.save()
    phone.goto(article.get_absolute_url())
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]


def test_the_navigation_works_by_touch(phone, archive):
    """Every entry of the main navigation is on screen, and a tap follows it."""
    phone.goto("/")
    navigation = phone.get_by_role("navigation", name="主导航")
    links = navigation.get_by_role("link")
    expect(links).to_have_count(5)
    for link in links.all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["viewport"]["width"]
    navigation.get_by_role("link", name="周报").tap()
    expect(phone.locator("h1")).to_have_text("全国卫生信息化舆情监测周报")
    phone.get_by_role("navigation", name="主导航").get_by_role("link", name="标签").tap()
    expect(phone.locator("h1")).to_have_text("标签")


def test_the_filter_form_works_on_a_phone(phone, archive):
    """On the phone the filter form comes first and fits the screen; submitted by touch,
    the filtered results are on the first screen (the form folds away behind its summary,
    which opens it again)."""
    phone.goto("/articles/")
    form = phone.get_by_role("form", name="筛选文章")
    box = form.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["viewport"]["width"]
    form.get_by_label("系列").select_option(label="北京市卫生信息化舆情监测月报")
    form.get_by_role("checkbox", name=archive.tag.name, exact=True).tap()
    button = form.get_by_role("button", name="筛选")
    button.scroll_into_view_if_needed()
    button.tap()
    expect(phone.get_by_role("status")).to_have_text("共 2 篇文章")
    expect(phone.locator(".card")).to_have_count(2)
    for title in phone.locator(".card__title").all_inner_texts():
        assert f"第{archive.monthly.number}期" in title
    expect(phone.locator(".card").first).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]

    form = phone.get_by_role("form", name="筛选文章")
    expect(form.get_by_label("系列")).to_be_hidden()
    form.get_by_text("筛选条件").tap()
    expect(form.get_by_label("系列")).to_have_value("monthly")
    expect(form.get_by_role("checkbox", name=archive.tag.name, exact=True)).to_be_checked()
