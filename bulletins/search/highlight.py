"""Matched terms in <mark>, found in Python on the raw text (``ts_headline`` cannot do
Chinese), everything else escaped.

Each term becomes a regular expression over the folded text that means exactly what the
index means (tokens.py): CJK characters literally, words whole, gaps as any run of
punctuation and spaces. Folding keeps one character per character almost always; where
it does not (ligatures, ㎡ …), positions are mapped back to the raw text.
"""

import re
from functools import lru_cache
from html import escape

from django.utils.safestring import mark_safe

from .tokens import GAP, WORD_CHAR_CLASS, fold, is_cjk

SNIPPET_LENGTH = 110
SNIPPET_LEAD = 30  # characters shown before the first match
_SPACES = re.compile(r"\s+")


def _term_pattern(units) -> str:
    parts = []
    for unit in units:
        if unit == GAP:
            parts.append(r"[\W_]+")
        elif is_cjk(unit):
            parts.append(re.escape(unit))
        else:  # a word: whole words only
            parts.append(f"(?<!{WORD_CHAR_CLASS}){re.escape(unit)}(?!{WORD_CHAR_CLASS})")
    return "".join(parts)


@lru_cache(maxsize=256)
def _pattern(terms: tuple) -> re.Pattern | None:
    if not terms:
        return None
    # Longest first, so that where terms overlap the longer one is marked.
    ordered = sorted(terms, key=len, reverse=True)
    return re.compile("|".join(_term_pattern(units) for units in ordered))


def spans(text: str, query) -> list[tuple[int, int]]:
    """(start, end) in ``text`` of every occurrence of the query's required terms."""
    pattern = _pattern(tuple(term.units for term in query.required))
    if pattern is None or not text:
        return []
    folded = fold(text)
    found = [(m.start(), m.end()) for m in pattern.finditer(folded) if m.end() > m.start()]
    if len(folded) == len(text):  # every character folded to one: same positions
        return found
    origin = []  # folded position -> raw position
    for index, char in enumerate(text):
        origin.extend([index] * len(fold(char)))
    return [(origin[start], origin[end - 1] + 1) for start, end in found]


def _marked(text: str, found, start: int, end: int) -> str:
    """text[start:end], escaped, with the spans inside it in <mark>, spaces collapsed."""
    html, cursor = [], start
    for span_start, span_end in found:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end or span_start < cursor:
            continue
        html.append(escape(_SPACES.sub(" ", text[cursor:span_start])))
        html.append(f"<mark>{escape(_SPACES.sub(' ', text[span_start:span_end]))}</mark>")
        cursor = span_end
    html.append(escape(_SPACES.sub(" ", text[cursor:end])))
    return "".join(html)


def mark(text: str, query):
    """The whole of ``text``, escaped, every match in <mark>."""
    return mark_safe(_marked(text, spans(text, query), 0, len(text)))  # noqa: S308


def snippet(text: str, query, length: int = SNIPPET_LENGTH):
    """About ``length`` characters of ``text`` around its first match, matches marked.

    Without a match in ``text`` (the words were in the title or tags), its beginning.
    """
    text = text.strip()
    found = spans(text, query)
    start = max(0, found[0][0] - SNIPPET_LEAD) if found else 0
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    html = _marked(text, found, start, end)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + html.strip() + suffix)  # noqa: S308 - escaped in _marked
