"""Hostile text in every editable field comes out inert on every public page and feed.

A corpus of XSS payloads (script tags, event handlers, javascript: links in Markdown and
in original links, SVG, entity tricks, a title that tries to close a JSON-LD block, template
syntax) is stored in every field an editor can fill, and also sent in every query
parameter the site reads. Then every public URL pattern is walked (tests/public_urls.py)
and every response parsed (tests/markup.py): no script but the site's own, no event
handler, no javascript: link, no inline style; each payload shows as plain text.
"""

import pytest
from django.core.exceptions import ValidationError

from bulletins.models import Article, Series, Source, SourceAlias, Tag
from bulletins.text.markdown import external_link, render_markdown
from tests import factories, markup, public_urls

# Each is stored after a short code naming its field and number ("TI03…"), so that the
# test can tell which field's text it sees on a page.
PAYLOADS = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    '"><script>alert(3)</script>',
    "' onmouseover='alert(4)' x='",
    '</script><script>alert(5)</script>{"@context": 1}',
    "&lt;script&gt;alert(6)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(7)&#62;",
    "<a href=\"javascript:alert('8')\">link</a>",
    '<iframe src="javascript:alert(9)"></iframe>',
    '<math><mi xlink:href="javascript:alert(10)">m</mi></math>',
    "<details open ontoggle=alert(11)>",
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=x">',
    '<style>body{background:url("javascript:alert(13)")}</style>',
    "{{ request.META }}{% debug %}",
    "\u2028\u2029<!--<script>alert(15)</script>-->",
]
MARKDOWN_PAYLOADS = [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(2))",
    "[click](java\tscript:alert(3))",
    "[click](&#106;avascript:alert(4))",
    "<javascript:alert(5)>",
    "![picture](javascript:alert(6))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==)",
    "[ref][r]\n\n[r]: javascript:alert(8)",
    "[vb](vbscript:msgbox(9))",
    '<div onclick="alert(10)">raw html block</div>',
    "[external](https://example.org/page)",
]
# Links as they might arrive by a path that skips validation (bulk import, restore).
URL_PAYLOADS = [
    "javascript:alert(1)",
    "  JAVASCRIPT:alert(2)",
    "java\nscript:alert(3)",
    "data:text/html,<script>alert(4)</script>",
    '"><script>alert(5)</script>',
    'https://example.cn/"onmouseover="alert(6)',
    "vbscript:msgbox(7)",
    "https://example.cn/news/ok.html",
]
# Shown as typed: the field's whole value must appear in a page's text.
TEXT_FIELDS = {
    "SE": (Series, "name"),
    "SS": (Series, "short_name"),
    "SD": (Series, "description"),
    "PU": (Series, "publisher"),
    "IN": (None, "intro"),
    "TI": (Article, "title"),
    "OT": (Article, "original_title"),
    "SN": (Source, "name"),
    "TN": (Tag, "name"),
    "TD": (Tag, "description"),
}


def hostile(code: str, number: int, model=None, field_name=None) -> str:
    value = f"{code}{number:02d}{PAYLOADS[number % len(PAYLOADS)]}"
    if model is not None:
        max_length = model._meta.get_field(field_name).max_length
        value = value[:max_length] if max_length else value
    return value


@pytest.fixture
def hostile_archive(db, django_capture_on_commit_callbacks):
    """One public issue whose every editable field, and its articles', sources' and
    tags', holds a payload; returns the values stored, by field code. Commit hooks run."""
    with django_capture_on_commit_callbacks(execute=True):
        stored = build_hostile_archive()
    return stored


def build_hostile_archive() -> dict:
    stored = {code: [] for code in TEXT_FIELDS}
    weekly = Series.objects.get(slug="weekly")
    for code, attribute in (("SE", "name"), ("SS", "short_name"), ("SD", "description")):
        setattr(weekly, attribute, hostile(code, 0, Series, attribute))
        stored[code].append(getattr(weekly, attribute))
    weekly.publisher = hostile("PU", 1, Series, "publisher")
    stored["PU"].append(weekly.publisher)
    weekly.save()
    intro = "\n".join(hostile("IN", n) for n in range(len(PAYLOADS)))
    issue = factories.issue(series_slug="weekly", number=636, intro=intro)
    stored["IN"].append(issue.intro)  # as stored: U+2028/U+2029 become line breaks
    for n in range(len(PAYLOADS)):
        source = Source.objects.create(
            name=hostile("SN", n, Source, "name"),
            homepage=URL_PAYLOADS[n % len(URL_PAYLOADS)],
        )
        SourceAlias.objects.create(name=hostile("AL", n, SourceAlias, "name"), source=source)
        tag = Tag.objects.create(name=hostile("TN", n, Tag, "name"), description=hostile("TD", n))
        body = "\n\n".join([hostile("BO", n), *MARKDOWN_PAYLOADS])
        article = factories.article(
            issue_obj=issue,
            title=hostile("TI", n, Article, "title"),
            original_title=hostile("OT", n, Article, "original_title"),
            body=body,
            original_url=URL_PAYLOADS[n % len(URL_PAYLOADS)],
            source=source,
            tags=[tag],
        )
        for code, obj, attribute in (
            ("SN", source, "name"),
            ("TN", tag, "name"),
            ("TD", tag, "description"),
            ("TI", article, "title"),
            ("OT", article, "original_title"),
        ):
            stored[code].append(getattr(obj, attribute))
    return stored


QUERY_PARAMETERS = ("q", "page", "year", "series", "source", "tag", "date_after", "preview")


def check_response(response, where, problems, texts):
    kind = public_urls.content_type(response)
    assert response.status_code < 500, where
    findings = markup.inspect(where, kind, public_urls.body(response))
    problems += findings.problems
    texts.append(findings.visible_text)
    if kind == "text/html":
        problems += [f"{where}: {p}" for p in strict_policy_problems(response)]
    return kind


def strict_policy_problems(response) -> list[str]:
    policy = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    problems = []
    for name in ("script-src", "style-src"):
        sources = directives.get(name, directives.get("default-src", []))
        if not sources or {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(sources):
            problems.append(f"{name} is not strict: {policy!r}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is not 'none': {policy!r}")
    if directives.get("object-src") != ["'none'"]:
        problems.append(f"object-src is not 'none': {policy!r}")
    return problems


def test_payloads_in_every_field_are_inert_on_every_public_page(client, hostile_archive):
    """Every public page, feed and list, with hostile text in every field and parameter,
    has no executable markup, sends a strict CSP, and shows each payload as text."""
    candidates = public_urls.values_of(public_urls.public_objects())
    filled = public_urls.fill(public_urls.public_patterns(), candidates)
    public_urls.assert_all_filled(filled)
    problems, texts, kinds, statuses = [], [], set(), {}
    for url in dict.fromkeys(url for urls in filled.values() for url in urls):
        response = client.get(url)
        statuses[url] = response.status_code
        kinds.add(check_response(response, url, problems, texts))
    # Every query parameter the site reads, on one page of each pattern.
    # … and filters that match, so that hostile names show as the filters in force.
    matching = [
        {"tag": tag.slug, "source": tag.articles.get().source.slug, "series": "weekly"}
        for tag in Tag.objects.order_by("pk")[:4]
    ]
    for url in public_urls.first_pages(filled, statuses).values():
        for params in [dict.fromkeys(QUERY_PARAMETERS, p) for p in PAYLOADS] + matching:
            # A forged ?preview= is one redirect away from the page it names.
            response = client.get(url, params, follow=True)
            check_response(response, f"{url}?{params}", problems, texts)
    assert not problems, "\n".join(problems[:40])
    assert "text/html" in kinds
    shown = "\n".join(texts)
    for code, values in hostile_archive.items():
        missing = [value for value in values if value not in shown]
        assert not missing, f"{code} values never shown as text: {missing[:3]}"
    # Bodies are Markdown: each shows its own code, as text.
    for number in range(len(PAYLOADS)):
        assert f"BO{number:02d}" in shown


@pytest.mark.parametrize(
    "url",
    [
        *(url for url in URL_PAYLOADS if not url.startswith("https:")),
        "ftp://example.cn/file",
        "file:///etc/passwd",
    ],
)
def test_original_links_and_homepages_accept_only_http_and_https(url):
    """Model validation (and so the admin) refuses links that are not web addresses."""
    with pytest.raises(ValidationError) as error:
        Article(original_url=url).clean_fields(exclude=["issue", "title", "position"])
    assert "original_url" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        Source(name="来源", homepage=url).clean_fields()
    assert "homepage" in error.value.message_dict


def test_web_links_pass_validation():
    """http and https links are accepted as they are."""
    Source(name="人民网", homepage="http://www.people.com.cn/").clean_fields()
    Article(original_url="https://example.cn/a.html").clean_fields(
        exclude=["issue", "title", "position"]
    )


@pytest.mark.django_db
def test_the_admin_refuses_a_javascript_homepage(admin_client):
    """An editor who types a javascript: link gets an error, and nothing is saved."""
    response = admin_client.post(
        "/admin/bulletins/source/add/",
        {"name": "恶意来源", "slug": "", "homepage": "javascript:alert(1)", "kind": "other"},
    )
    assert response.status_code == 200
    assert "请输入以 http:// 或 https:// 开头的网址。" in response.text
    assert not Source.objects.filter(name="恶意来源").exists()


def test_external_links_carry_noopener_nofollow_and_only_web_urls():
    """A link that leaves the site is marked noopener nofollow; any other URL is text."""
    assert str(external_link("https://example.cn/a?b=1&c=2")) == (
        '<a href="https://example.cn/a?b=1&amp;c=2" rel="noopener nofollow">'
        "https://example.cn/a?b=1&amp;c=2</a>"
    )
    assert str(external_link("javascript:alert(1)", "主页")) == "主页"
    assert str(external_link("java\tscript:alert(1)")) == "java\tscript:alert(1)"
    html = render_markdown("[原文](https://example.cn/x) and [x](javascript:alert(1))")
    assert '<a href="https://example.cn/x" rel="noopener nofollow">原文</a>' in html
    assert 'href="javascript' not in html and "<a href" in html


@pytest.mark.django_db
def test_original_link_on_article_page_is_marked_and_a_bad_one_is_not_a_link(client):
    """The article page links to its original with rel="noopener nofollow"; a stored
    javascript: URL is shown as text only."""
    good = factories.article(original_url="https://example.cn/news/1.html")
    bad = factories.article(original_url="javascript:alert(1)")
    html = client.get(good.get_absolute_url()).text
    assert (
        '<a class="original-link" href="https://example.cn/news/1.html" '
        'rel="noopener nofollow">' in html
    )
    html = client.get(bad.get_absolute_url()).text
    assert 'href="javascript' not in html
    assert "javascript:alert(1)" in html
    print_page = client.get(bad.issue.get_absolute_url() + "print/").text
    assert 'href="javascript' not in print_page


@pytest.mark.parametrize(
    "html",
    [
        "<p>x</p><script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href=" java&#9;script:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        "<svg><circle/></svg>",
        '<iframe src="/"></iframe>',
        '<p style="color:red">x</p>',
        '<a href="https://evil.example/">x</a>',
        '<script type="application/ld+json">{"name": "</script>"}</script>',
        '<script type="application/ld+json">{"url": "javascript:alert(1)"}</script>',
        '<meta http-equiv="refresh" content="0;url=/">',
        '<script src="https://cdn.example/x.js"></script>',
    ],
)
def test_the_page_inspector_finds_what_a_browser_would_run(html):
    """The checks above can fail: each of these is reported."""
    assert markup.inspect("/x/", "text/html", html.encode()).problems


def test_the_page_inspector_passes_the_sites_own_markup():
    """The site's own script file, JSON-LD, links inside and (marked) outside pass."""
    html = (
        '<script src="/static/js/copy.js" defer></script>'
        '<script type="application/ld+json">{"url": "https://example.cn/", "a": "\\u003c"}'
        '</script><a href="/articles/1/">a</a>'
        '<a href="https://example.cn/" rel="noopener nofollow">b</a>'
    )
    assert markup.inspect("/x/", "text/html", html.encode()).problems == []


@pytest.mark.parametrize(
    "xml",
    [
        b"<rss><channel><item><description>&lt;img src=x onerror=alert(1)&gt;"
        b"</description></item></channel></rss>",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="html">'
        b"&lt;script&gt;alert(1)&lt;/script&gt;</content></entry></feed>",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><link href="javascript:alert(1)"/></feed>',
        b"<rss><channel><item><title>unclosed</item></channel></rss>",
    ],
)
def test_the_feed_inspector_finds_what_a_reader_would_run(xml):
    """Feeds: HTML content is checked like a page, links like hrefs, and XML must parse."""
    assert markup.inspect("/feeds/x/", "application/rss+xml", xml).problems
