"""Every public URL of the site, found by walking the URLconf, for tests that must miss none.

``public_patterns()`` lists each URL pattern outside the admin and /healthz (the site's
pages, and feeds, sitemaps and search as they are added). ``fill()`` turns patterns into
URLs with values taken from objects: a pattern's values are matched by name against what
``resolve(obj.get_absolute_url())`` gives for each object (an issue gives series and
number, an article pk, a tag or source slug). A pattern that no object can fill makes
the tests fail, unless ``UNWALKED`` says why it is left out: a URL added later cannot
escape the security tests unnoticed.
"""

import io
import zipfile
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.regex_helper import normalize

# Not public pages: the editors' admin and the load balancer's probe (tested on their own).
SKIPPED_PREFIXES = ("admin/", "healthz")

# Patterns the walk cannot fill, by route, each with the reason it is safe to leave out.
UNWALKED: dict[str, str] = {}

# Pages that answer only with a query string (a feed per search needs the words it follows).
REQUIRED_QUERIES = {  # 的
    "bulletins:search-feed": "q=%E7%9A%84",
    "bulletins:search-feed-atom": "q=%E7%9A%84",
}


@dataclass(frozen=True, eq=False)
class PublicPattern:
    route: str  # as written in the URLconf, e.g. "issues/<slug:series>/<int:number>/"
    name: str  # "bulletins:issue-detail", or the route when the pattern has no name
    url_format: str  # "issues/%(series)s/%(number)s/"
    params: frozenset
    converters: dict
    defaults: dict

    def url(self, values: dict) -> str:
        quoted = {}
        for key in self.params:
            converter = self.converters.get(key)
            text = converter.to_url(values[key]) if converter else str(values[key])
            quoted[key] = quote(str(text), safe="")
        query = REQUIRED_QUERIES.get(self.name)
        return "/" + self.url_format % quoted + (f"?{query}" if query else "")

    def __str__(self):
        return self.route


def with_query(url: str, query: str) -> str:
    """``url`` with ``query`` added to any query string it has already."""
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _walk(resolver, route="", regex="", converters=None, namespace=""):
    for entry in resolver.url_patterns:
        piece_route = str(entry.pattern)
        piece_regex = entry.pattern.regex.pattern.removeprefix("^")
        found_converters = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(
                entry, route + piece_route, regex + piece_regex, found_converters, inner
            )
        elif isinstance(entry, URLPattern):
            yield route + piece_route, regex + piece_regex, found_converters, namespace, entry


def public_patterns() -> list[PublicPattern]:
    """Every URL pattern a reader can reach, in URLconf order."""
    patterns = []
    for route, regex, converters, namespace, entry in _walk(get_resolver()):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        name = f"{namespace}{entry.name}" if entry.name else route
        for url_format, params in normalize(regex):
            patterns.append(
                PublicPattern(
                    route,
                    name,
                    url_format,
                    frozenset(params),
                    converters,
                    entry.default_args,
                )
            )
    return patterns


def values_of(objects) -> list[dict]:
    """What each object's own URL gives its pattern: {'series': 'weekly', 'number': 636} …"""
    # The server hands Django the decoded path, so resolve that (人民网, not %E4%BA%BA…).
    return [resolve(unquote(urlsplit(obj.get_absolute_url()).path)).kwargs for obj in objects]


def public_objects() -> list:
    """Everything a reader can reach by a URL of its own."""
    from bulletins.models import Article, Issue, Series, Source, Tag

    articles = Article.objects.published()
    return [
        *Series.objects.all(),
        *Issue.objects.published().select_related("series"),
        *articles,
        *Source.objects.filter(articles__in=articles).distinct(),
        *Tag.objects.filter(articles__in=articles).distinct(),
    ]


def pattern_values(pattern) -> list[dict]:
    """Values a pattern names itself, such as the sections of a sitemap index."""
    sections = pattern.defaults.get("sitemaps")
    if sections and pattern.params == {"section"}:
        return [{"section": section} for section in sections]
    return []


def fill(patterns, candidates: list[dict], *, fixed: bool = True) -> dict:
    """URLs for each pattern, one for every candidate whose names are the pattern's.

    With ``fixed``, patterns that need no values, or name their own, get those URLs too.
    """
    urls = {}
    for pattern in patterns:
        own = [{}, *pattern_values(pattern)] if fixed else []
        matching = [values for values in [*own, *candidates] if frozenset(values) == pattern.params]
        urls[pattern] = list(dict.fromkeys(pattern.url(values) for values in matching))
    return urls


def assert_all_filled(urls: dict) -> None:
    """Fail loudly when a pattern got no URL: a page the security tests would not see."""
    missing = [
        str(pattern)
        for pattern, found in urls.items()
        if not found and str(pattern) not in UNWALKED
    ]
    assert not missing, (
        f"No object can fill the URL pattern(s) {missing}: teach tests/public_urls.py how "
        "(an object whose get_absolute_url() resolves to those names), or add the route "
        "to UNWALKED with the reason it needs no security test."
    )


def first_pages(filled: dict, statuses: dict) -> dict[PublicPattern, str]:
    """Each pattern's first URL that answered 200 (``statuses``: URL -> status code).

    Fails loudly for a pattern none of whose URLs answered: the walk would not see it.
    """
    pages = {}
    for pattern, urls in filled.items():
        found = [url for url in urls if statuses.get(url) == 200]
        if found:
            pages[pattern] = found[0]
    missing = [
        str(p) for p, urls in filled.items() if urls and p not in pages and str(p) not in UNWALKED
    ]
    assert not missing, f"No URL of the pattern(s) {missing} answered 200: {filled}"
    return pages


def content_type(response) -> str:
    return response.get("Content-Type", "").split(";")[0].strip().lower()


def body(response) -> bytes:
    """The response's content; for a zip-based document (.docx), its files unpacked, in
    order, so that its text can be searched and two copies compared (a zip records the
    time it was written)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if not content.startswith(b"PK\x03\x04"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(
            b"\n== " + name.encode() + b"\n" + archive.read(name)
            for name in sorted(archive.namelist())
        )
