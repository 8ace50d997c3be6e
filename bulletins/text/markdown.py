"""Markdown article bodies -> safe HTML, rendered once on save.

Raw HTML in the Markdown is not rendered; the output is sanitised with nh3 all the
same. A paragraph that is only emphasis (``*…… 摄*``) is a photo caption and becomes a
<figure><figcaption>, the convention the importer writes.
"""

import html
import re
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from django.utils.html import conditional_escape, escape, strip_tags
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable("table")

_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "hr",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "figure": {"class"}}
# Where links may lead: web pages only (no javascript:, data:, file: …).
WEB_SCHEMES = ("http", "https")
EXTERNAL_REL = "noopener nofollow"
# The whole paragraph is one emphasis: '<p><em>a</em> b <em>c</em></p>' is not a caption.
_CAPTION = re.compile(r"<p><em>(?P<text>(?:(?!</?p>|</?em>).)+?)</em></p>", re.S)
_HEADING = re.compile(r"<(/?)h1>")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_FIGURE = r'<figure class="caption"><figcaption>\g<text></figcaption></figure>'
# Heading tags in sanitised output: nh3 keeps no attributes on them.
_ANY_HEADING = re.compile(r"<(/?)h([1-6])>")


def render_markdown(text: str) -> str:
    """Render an article body to sanitised HTML."""
    html = _markdown.render(text or "")
    # Bodies sit under the page's own h1/h2, so their headings start at h3.
    html = _HEADING.sub(r"<\1h3>", html)
    html = _CAPTION.sub(_FIGURE, html)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={*WEB_SCHEMES, "mailto"},
        link_rel=EXTERNAL_REL,
    )


@lru_cache(maxsize=4096)
def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL, read the way a browser reads an href."""
    # urlsplit drops tabs and newlines inside the scheme, as browsers do ("java\tscript:").
    parts = urlsplit((url or "").strip())
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def external_link(url: str, text: str = "", css_class: str = ""):
    """A link that leaves the site, or just the text when ``url`` is not a web address.

    Stored URLs are validated as http(s) on save, but rows can arrive by other paths
    (bulk imports, restores); a javascript: URL never becomes a clickable link.
    """
    text = conditional_escape(text or url)
    if not is_web_url(url):
        return text
    class_attr = f' class="{escape(css_class)}"' if css_class else ""
    # Plain formatting: a feed has hundreds of these, and format_html costs several times more.
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<a{class_attr} href="{escape(url.strip())}" rel="{EXTERNAL_REL}">{text}</a>'
    )


def with_headings_from(html: str, level: int) -> str:
    """Rendered body HTML with its headings renumbered so that the highest is ``level``.

    The page decides: an article page puts the body's headings under its h1 (level 2),
    the issue page under each article's h3 title (level 4). Levels stay in order; h6 is
    the floor.
    """
    levels = [int(match.group(2)) for match in _ANY_HEADING.finditer(html)]
    if not levels:
        return html
    shift = level - min(levels)
    return _ANY_HEADING.sub(
        lambda match: f"<{match.group(1)}h{min(6, int(match.group(2)) + shift)}>", html
    )


def first_paragraph(text: str, limit: int = 160) -> str:
    """Plain text of the first real paragraph of a Markdown body, shortened to ``limit``.

    Read from the rendered paragraphs, so Markdown syntax goes and literal text such as
    ``<script>`` or ``a > b`` stays as written. Photo captions are not paragraphs.
    """
    for inner in _PARAGRAPH.findall(_CAPTION.sub(_FIGURE, _markdown.render(text or ""))):
        plain = " ".join(html.unescape(strip_tags(inner)).split())
        if len(plain) >= 8:
            return plain if len(plain) <= limit else plain[: limit - 1] + "…"
    return ""
