"""What a reader types, as terms: ``医保 "互联网 医院" -区块链 DRG``.

- Words separated by spaces or punctuation must all occur, in any order, anywhere in
  the article (``医保，人工智能`` is two words).
- Each word is matched exactly as typed: ``人工智能`` finds 人工智能 and nothing else,
  ``智能`` finds it too, ``DRG`` finds the word DRG (not a longer word containing it).
- ``"…"`` (or “…”) is a phrase: its words in that order, separated in the article by
  punctuation or spaces where the phrase has them (``"互联网 医院"``, ``"COVID-19"``).
- ``-word`` or ``-"a phrase"`` excludes articles that contain it (``-COVID-19`` is read
  as one phrase).

Anything else (a lone ``-``, an unclosed quote, punctuation only) is read as leniently
as possible; nothing a reader types is an error.
"""

import re
from dataclasses import dataclass

from .tokens import GAP, is_cjk, norm, units

# Longer queries are cut: a pasted page should not become a thousand-lexeme query.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

_QUOTES = str.maketrans({"“": '"', "”": '"', "＂": '"', "「": '"', "」": '"', "－": "-"})
_ITEM = re.compile(r'(-?)(?:"([^"]*)(?:"|$)|(\S+))')


@dataclass(frozen=True)
class Term:
    text: str  # as the reader typed it (for messages)
    units: tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    required: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.required or self.excluded)

    @property
    def display(self) -> str:
        """The query as it was understood, in plain words (no control characters)."""

        def shown(term):
            text = _shown(term.units)
            return f'"{text}"' if " " in text else text

        return " ".join([shown(t) for t in self.required] + ["-" + shown(t) for t in self.excluded])

    @property
    def key(self) -> str:
        """The same for queries that mean the same (for cache keys)."""
        required = sorted(" ".join(term.units) for term in self.required)
        excluded = sorted(" ".join(term.units) for term in self.excluded)
        return "+" + "|".join(required) + "-" + "|".join(excluded)


def _phrase(text: str) -> list[Term]:
    """One term: the units of ``text`` with its gaps (none at either end)."""
    sequence = units(text)
    return [Term(text.strip(), tuple(sequence))] if sequence else []


def _words(text: str) -> list[Term]:
    """One term for each gap-free stretch of ``text``."""
    terms, current = [], []
    for unit in units(text) + [GAP]:
        if unit != GAP:
            current.append(unit)
        elif current:
            terms.append(Term(_shown(current), tuple(current)))
            current = []
    return terms


def _shown(sequence) -> str:
    """A term as it reads (folded, a space for each gap), for messages."""
    text = ""
    for unit in sequence:
        if unit == GAP:
            unit = " "
        elif text and text[-1] != " " and not (is_cjk(unit) or is_cjk(text[-1])):
            text += " "
        text += unit
    return text


def parse(text: str) -> ParsedQuery:
    text = (text or "")[:MAX_QUERY_LENGTH]
    required: dict[tuple, Term] = {}
    excluded: dict[tuple, Term] = {}
    for match in _ITEM.finditer(text.translate(_QUOTES)):
        negative, quoted, bare = match.groups()
        if quoted is not None or negative:
            terms = _phrase(quoted if quoted is not None else bare)
        else:
            terms = _words(bare)
        target = excluded if negative else required
        for term in terms:
            if len(required) + len(excluded) < MAX_TERMS:
                target.setdefault(term.units, term)
    # An article cannot both contain a term and not contain it: the exclusion wins.
    for key in excluded:
        required.pop(key, None)
    return ParsedQuery(text, tuple(required.values()), tuple(excluded.values()))


def matches(document_units, query: ParsedQuery) -> bool:
    """The reference rule, in plain Python: every required term and no excluded one."""
    haystack = norm(document_units)
    return all(norm(t.units) in haystack for t in query.required) and not any(
        norm(t.units) in haystack for t in query.excluded
    )
