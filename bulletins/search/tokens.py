"""Chinese (and any other) text as search units, with no dictionary and no database locale.

Text is folded character by character (NFKC, then lower case), so ``ＤＲＧ`` = ``drg`` =
``DRG`` and full-width digits and letters equal half-width ones. The folded text is cut
into *units*:

- every CJK character (Han, kana, hangul, 〇 and 々) is a unit of its own;
- every run of other letters and digits is one unit, a word (``drg``, ``5g``, ``2025``);
- every run of anything else (punctuation, spaces, symbols) is one ``GAP``.

Units are numbered in order, a gap taking a number too, so positions say exactly which
units stand side by side. A document's fields (title, tags, body …) are joined with a
``FIELD`` unit, which no query contains, so nothing is found across two fields.

A document contains a text when the text's units appear among the document's units
consecutively; ``contains()`` is that rule in plain Python, the reference the tests and
the benchmark hold both database indexes to. For text without punctuation it is a
substring test on the folded text, except that a word matches whole words only (``ai``
is not found inside ``said``).
"""

import re
import unicodedata

# Private-use characters: folding real text never produces them (see _FoldTable), so
# they cannot collide with a unit.
GAP = "\ue000"
FIELD = "\ue001"

_CJK = (
    "\u3005\u3007"  # 々 〇
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003ffff"  # CJK extensions B and later
)
CJK_CLASS = f"[{_CJK}]"
WORD_CHAR_CLASS = f"[^\\W_{_CJK}]"  # letters and digits that are not CJK
_RUN = re.compile(r"[^\W_]+")  # letters and digits, CJK included
_PIECE = re.compile(f"{CJK_CLASS}|{WORD_CHAR_CLASS}+")
_IS_CJK = re.compile(CJK_CLASS)
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")

# Longest run of CJK characters indexed as one lexeme on PostgreSQL (see lexemes()).
NGRAM_MAX = 4


class _FoldTable(dict):
    """str.translate table: each character's NFKC form, lower-cased; filled as it is used."""

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(code)).lower()
        # Private-use characters carry no meaning we could search for: treat as spaces.
        folded = _PRIVATE_USE.sub(" ", folded)
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Each character in NFKC form and lower case (so ``ＤＲＧ`` == ``drg``)."""
    return text.translate(_FOLD)


def is_cjk(unit: str) -> bool:
    return len(unit) == 1 and _IS_CJK.match(unit) is not None


def units(text: str) -> list[str]:
    """The units of ``text``: CJK characters, words and GAPs, in order (see above)."""
    result: list[str] = []
    for run in _RUN.findall(fold(text)):
        if result:
            result.append(GAP)
        result.extend(_PIECE.findall(run))
    return result


def join_fields(fields) -> list[str]:
    """The units of several texts, a FIELD unit between each (empty texts left out)."""
    result: list[str] = []
    for text in fields:
        piece = units(text)
        if piece:
            if result:
                result.append(FIELD)
            result.extend(piece)
    return result


def contains(text_units: list[str], sequence) -> bool:
    """Whether ``sequence`` occurs in ``text_units`` consecutively: what a match means."""
    return norm(sequence) in norm(text_units)


def norm(sequence) -> str:
    """Units spaced out, so that a substring test on it is the containment rule."""
    return " " + " ".join(sequence) + " "


# --- PostgreSQL: lexemes with positions, for tsvector and tsquery --------------------


def cjk_runs(sequence):
    """(offset, characters) of each run of adjacent CJK units in ``sequence``."""
    start = None
    for i, unit in enumerate(sequence):
        if is_cjk(unit):
            if start is None:
                start = i
        elif start is not None:
            yield start, sequence[start:i]
            start = None
    if start is not None:
        yield start, sequence[start:]


def lexemes(sequence, start: int = 1) -> dict[str, list[int]]:
    """Lexeme -> positions, for a tsvector.

    Every unit and every adjacent pair of CJK characters at its position (the pair at its
    first character's); a unit followed by a GAP also as ``unit + GAP``, so that a phrase
    can require the gap; and runs of three to NGRAM_MAX CJK characters at their first
    character's position, so that most words are one lexeme and need no phrase check.
    """
    found: dict[str, list[int]] = {}
    last = len(sequence) - 1
    for i, unit in enumerate(sequence):
        if unit == GAP or unit == FIELD:
            continue
        position = start + i
        found.setdefault(unit, []).append(position)
        if i < last and sequence[i + 1] == GAP:
            found.setdefault(unit + GAP, []).append(position)
    for offset, run in cjk_runs(sequence):
        for size in range(2, NGRAM_MAX + 1):
            for i in range(len(run) - size + 1):
                found.setdefault("".join(run[i : i + size]), []).append(start + offset + i)
    return found


def phrase_items(sequence) -> list[tuple[str, int]]:
    """The fewest (lexeme, offset) pairs whose positions pin ``sequence`` down exactly.

    人工智能 -> [(人工智能, 0)]; 互联网医院 -> [(互联网医, 0), (网医院, 2)];
    ``5g 急救`` -> [(5g+GAP, 0), (急救, 2)]. ``sequence`` has no GAP at either end.
    """
    items: list[tuple[str, int]] = []
    runs = {offset: run for offset, run in cjk_runs(sequence)}
    i, n = 0, len(sequence)
    while i < n:
        unit = sequence[i]
        if unit == GAP:
            i += 1
        elif i in runs:
            run = runs[i]
            # Cover the run with as few n-grams as possible, the last one overlapping.
            j = 0
            while j < len(run):
                size = min(NGRAM_MAX, len(run) - j)
                if size < len(run) and size < 2:  # a lone last character: overlap instead
                    j, size = len(run) - 2, 2
                items.append(("".join(run[j : j + size]), i + j))
                j += size
            end = i + len(run) - 1
            if end + 1 < n and sequence[end + 1] == GAP:
                if len(run) == 1:
                    items.pop()  # the marker pins the character down as well
                items.append((sequence[end] + GAP, end))
            i = end + 1
        else:
            following = sequence[i + 1] if i + 1 < n else None
            items.append((unit + GAP if following == GAP else unit, i))
            i += 1
    return items


# --- SQLite FTS5: one token per position --------------------------------------------


def stream(sequence) -> str:
    """One token per unit, for SQLite FTS5 (which keeps one token at each position): a CJK
    character followed by another is the pair, any other unit is itself."""
    tokens = []
    last = len(sequence) - 1
    for i, unit in enumerate(sequence):
        if i < last and is_cjk(unit) and is_cjk(sequence[i + 1]):
            tokens.append(unit + sequence[i + 1])
        else:
            tokens.append(unit)
    return " ".join(tokens)


def stream_phrase(sequence) -> tuple[str, bool]:
    """The stream tokens a document shows consecutively where it contains ``sequence``,
    and whether the last is a prefix (a lone last CJK character may pair with the next)."""
    tokens = []
    last = len(sequence) - 1
    for i, unit in enumerate(sequence):
        if i < last:
            following = sequence[i + 1]
            tokens.append(unit + following if is_cjk(unit) and is_cjk(following) else unit)
        elif is_cjk(unit):
            if i > 0 and is_cjk(sequence[i - 1]):
                break  # the pair before already pins it down
            tokens.append(unit)
            return " ".join(tokens), True
        else:
            tokens.append(unit)
    return " ".join(tokens), False
