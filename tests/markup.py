"""Executable markup in a response: anything a browser or a feed reader could run.

``inspect(response)`` parses the body by its content type (HTML with ``html.parser``,
feeds and sitemaps as XML, JSON) and returns a ``Findings``: the problems found and the
text a reader sees. A page passes when it has no script other than the site's own files
(``src=``) and JSON-LD data blocks, no ``on…`` attribute, no inline style, no link to a
``javascript:``/``data:``/… URL, no frames, objects, SVG or MathML, and no link leaving
the site without ``rel="noopener nofollow"``.
"""

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

SITE_HOSTS = {"testserver", "localhost", "127.0.0.1"}
SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "data",
    "srcset",
    "background",
    "cite",
    "ping",
    "xlink:href",
    "manifest",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "codebase",
    "icon",
    "url",
    "xmlurl",
    "htmlurl",
}
FORBIDDEN_ELEMENTS = {
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "svg",
    "math",
    "portal",
    "template",
}
ATOM = "{http://www.w3.org/2005/Atom}"
RSS_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
XHTML = "{http://www.w3.org/1999/xhtml}"
# Browsers ignore these inside a URL's scheme ("java\tscript:") and around it.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


@dataclass
class Findings:
    problems: list = field(default_factory=list)
    text: list = field(default_factory=list)
    kind: str = ""

    @property
    def visible_text(self) -> str:
        return "".join(self.text)


def unsafe_scheme(url: str) -> str | None:
    """The scheme of ``url`` as a browser reads it, when it is not a web or mail link."""
    match = _SCHEME.match(_IGNORED_IN_URL.sub("", url or "").lower())
    if match and match.group(1) not in SAFE_SCHEMES:
        return match.group(1)
    return None


def leaves_site(url: str) -> bool:
    parts = urlsplit(_IGNORED_IN_URL.sub("", url or ""))
    return bool(parts.netloc) and (parts.hostname or "") not in SITE_HOSTS


class _PageParser(HTMLParser):
    def __init__(self, findings: Findings, where: str):
        super().__init__(convert_charrefs=True)
        self.findings = findings
        self.where = where
        self._raw = None  # "script" or "style" while inside one
        self._data_block = None  # chunks of the JSON-LD block being read

    def problem(self, text):
        self.findings.problems.append(f"{self.where}: {text}")

    def handle_starttag(self, tag, attrs):
        self.check(tag, attrs)
        if tag in ("script", "style"):
            self._raw = tag

    def handle_startendtag(self, tag, attrs):
        self.check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None
        if tag == "script" and self._data_block is not None:
            check_json_ld("".join(self._data_block), self.problem)
            self._data_block = None

    def handle_data(self, data):
        if self._data_block is not None:
            self._data_block.append(data)
        elif self._raw is None:
            self.findings.text.append(data)

    def check(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            if values.get("type", "").lower() == "application/ld+json":
                self._data_block = []
            elif not values.get("src"):
                self.problem(f"inline <script> {attrs}")
            elif leaves_site(values["src"]):
                self.problem(f"script from another site {values['src']!r}")
        if tag in FORBIDDEN_ELEMENTS:
            self.problem(f"<{tag}> element {attrs}")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.problem(f"<meta http-equiv=refresh> {attrs}")
        if (
            tag == "link"
            and "stylesheet" in (values.get("rel") or "")
            and leaves_site(values.get("href", ""))
        ):
            self.problem(f"stylesheet from another site {values.get('href')!r}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problem(f"event handler {name}={value!r} on <{tag}>")
            elif name == "style":
                self.problem(f"inline style={value!r} on <{tag}>")
            elif name in URL_ATTRIBUTES and (scheme := unsafe_scheme(value or "")):
                self.problem(f"{scheme}: URL in {name}={value!r} on <{tag}>")
        if tag == "a" and leaves_site(values.get("href") or ""):
            rel = set((values.get("rel") or "").lower().split())
            if not {"noopener", "nofollow"} <= rel:
                self.problem(f"link leaving the site without rel=noopener nofollow: {attrs}")


def check_json_ld(raw: str, problem) -> None:
    """A JSON-LD block: valid JSON that cannot end the <script> early, links to the web."""
    if "</" in raw or "<!--" in raw:
        problem(f"JSON-LD block could end its <script> early: {raw[:200]!r}")
    try:
        data = json.loads(raw)
    except ValueError:
        problem(f"JSON-LD block is not valid JSON: {raw[:200]!r}")
        return
    for key, value in _items(data):
        is_link = key.lower().endswith("url") or key in ("@id", "sameAs")
        if is_link and isinstance(value, str) and (scheme := unsafe_scheme(value)):
            problem(f"{scheme}: URL in JSON-LD {key}={value!r}")


def _items(data):
    if isinstance(data, dict):
        for key, value in data.items():
            yield key, value
            yield from _items(value)
    elif isinstance(data, list):
        for value in data:
            yield from _items(value)


def inspect_html(html: str, where: str, findings: Findings | None = None) -> Findings:
    findings = findings or Findings(kind="html")
    parser = _PageParser(findings, where)
    parser.feed(html)
    parser.close()
    return findings


def inspect_xml(content: bytes, where: str) -> Findings:
    findings = Findings(kind="xml")
    try:
        root = ET.fromstring(content)
    except ET.ParseError as error:
        findings.problems.append(f"{where}: not well-formed XML ({error})")
        return findings
    is_rss = root.tag == "rss"
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        local = tag.rsplit("}", 1)[-1].lower()
        if tag.startswith(XHTML) or local == "script":
            findings.problems.append(f"{where}: <{local}> element in XML")
        for name, value in element.attrib.items():
            attribute = name.rsplit("}", 1)[-1].lower()
            if attribute.startswith("on"):
                findings.problems.append(f"{where}: {name}={value!r} on <{local}>")
            elif attribute in URL_ATTRIBUTES and (scheme := unsafe_scheme(value)):
                findings.problems.append(f"{where}: {scheme}: URL in {name} on <{local}>")
        text = element.text or ""
        findings.text.append(text)
        if local in ("link", "guid", "loc", "comments") and (scheme := unsafe_scheme(text)):
            findings.problems.append(f"{where}: {scheme}: URL in <{local}>")
        holds_html = (
            (tag.startswith(ATOM) and element.get("type") in ("html", "xhtml"))
            or tag == RSS_CONTENT
            or (is_rss and local == "description")
        )
        if holds_html:
            inspect_html(text, f"{where} <{local}>", findings)
    return findings


def inspect_json(content: bytes, where: str) -> Findings:
    findings = Findings(kind="json")
    try:
        findings.text.append(json.dumps(json.loads(content), ensure_ascii=False))
    except ValueError:
        findings.problems.append(f"{where}: not valid JSON")
    return findings


def inspect(url: str, content_type: str, content: bytes) -> Findings:
    """Findings for one response; content types a browser does not run are not parsed."""
    if content_type == "text/html":
        return inspect_html(content.decode(), url)
    if content_type.endswith("xml") or content_type.endswith("+xml"):
        return inspect_xml(content, url)
    if content_type.endswith("json"):
        return inspect_json(content, url)
    return Findings(kind="other")
