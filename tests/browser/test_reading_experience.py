"""The reading experience as a browser renders it: the measure and leading of long Chinese
text in a CJK system font, the header and footer, dark mode from the system, print, and
visible keyboard focus."""

import re

from playwright.sync_api import expect

from .support import BROWSER_TEST, DESKTOP, open_page

pytestmark = BROWSER_TEST

TEXT_METRICS = """el => {
  const style = getComputedStyle(el);
  const size = parseFloat(style.fontSize);
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  return {
    charactersPerLine: (el.clientWidth - padding) / size,
    leading: parseFloat(style.lineHeight) / size,
  };
}"""


def fonts_used_for(page, selector: str) -> list[str]:
    """The fonts Chromium actually drew the element's text with (not the CSS stack)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [font["familyName"] for font in fonts if not font["isCustomFont"]]


def test_article_text_is_set_for_long_reading(page, archive):
    """Article paragraphs: 35–40 characters a line, line height about 1.8, drawn in a CJK
    system font (no web font is loaded: PageWatch fails any request to another host)."""
    for url in (archive.first_article.get_absolute_url(), archive.latest.get_absolute_url()):
        page.goto(url)
        metrics = page.locator(".prose p").first.evaluate(TEXT_METRICS)
        assert 35 <= metrics["charactersPerLine"] <= 40, (url, metrics)
        assert 1.7 <= metrics["leading"] <= 1.9, (url, metrics)
    fonts = fonts_used_for(page, ".prose p")
    assert fonts and all("CJK" in name or "SC" in name for name in fonts), fonts
    assert page.evaluate("document.fonts.size") == 0  # no @font-face anywhere


def test_header_and_footer_carry_the_site(page, archive, settings):
    """Header: the site's name, each series and the search box. Footer: the publisher, the
    site's sections and the 备案 records from the settings."""
    settings.SITE_ICP_RECORD = "京ICP备00000000号-1"
    settings.SITE_PSB_RECORD = "京公网安备11000000000000号"
    page.goto(archive.first_article.get_absolute_url())
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="卫生信息化舆情监测简报库")).to_be_visible()
    for series in ("周报", "月报"):
        expect(header.get_by_role("link", name=series, exact=True)).to_be_visible()
    expect(header.get_by_role("searchbox", name="全文检索")).to_be_visible()
    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text("编发：北京市卫生健康大数据与政策研究中心")
    expect(footer.get_by_role("link", name="京ICP备00000000号-1")).to_have_attribute(
        "href", "https://beian.miit.gov.cn/"
    )
    expect(footer.get_by_role("link", name="京公网安备11000000000000号")).to_be_visible()

    header.get_by_role("searchbox").fill("互认")
    header.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.get_by_role("status")).to_contain_text("篇文章")
    expect(page.locator(".search-hit").first).to_contain_text("互认")
    expect(page.locator(".search-hit mark").first).to_have_text("互认")


def luminance(page, selector: str, prop: str) -> float:
    rgb = page.locator(selector).first.evaluate(
        f"el => getComputedStyle(el).{prop}.match(/\\d+/g).slice(0, 3).map(Number)"
    )
    return sum(rgb) / (3 * 255)


def test_dark_mode_follows_the_system(browser, live_server, archive):
    """With the system in dark mode the page is dark with light text, and back again."""
    url = archive.first_article.get_absolute_url()
    with open_page(browser, live_server, DESKTOP, color_scheme="dark") as dark:
        dark.goto(url)
        assert luminance(dark, "html", "backgroundColor") < 0.2
        assert luminance(dark, ".prose p", "color") > 0.8
        dark.emulate_media(color_scheme="light")
        assert luminance(dark, "html", "backgroundColor") > 0.9
        assert luminance(dark, ".prose p", "color") < 0.2


def test_printing_leaves_out_the_site_around_the_text(page, archive):
    """Printed, an issue keeps its bulletin and drops the header, footer and page tools;
    the print version drops its own hint."""
    page.goto(archive.latest.get_absolute_url())
    page.emulate_media(media="print")
    for hidden in ("banner", "contentinfo"):
        expect(page.get_by_role(hidden)).to_be_hidden()
    expect(page.locator(".issue-tools")).to_be_hidden()
    expect(page.get_by_role("heading", name=archive.first_article.title)).to_be_visible()
    page.goto(archive.latest.get_absolute_url() + "print/")
    expect(page.locator(".print-hint")).to_be_hidden()
    expect(page.locator(".masthead")).to_be_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"


def test_keyboard_focus_is_visible(page, archive):
    """The first Tab shows the skip link; every focused control is outlined."""
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    for _ in range(4):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
        assert outline[0] != "none" and outline[1] >= 2, outline
