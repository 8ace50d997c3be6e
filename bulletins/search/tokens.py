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


# --- PostgreSQL: lexemes, for tsvector and tsquery ----------------------------------


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


def lexemes(sequence) -> set[str]:
    """The lexemes of a document: every unit; every run of two to NGRAM_MAX adjacent CJK
    characters; and a unit followed by a gap also as ``unit + GAP``.

    A Chinese word of up to NGRAM_MAX characters is then one lexeme, which the index
    answers exactly on its own; longer text needs all its lexemes and a substring test.
    """
    found = {unit for unit in sequence if unit != GAP and unit != FIELD}
    found.update(
        unit + GAP
        for unit, following in zip(sequence, sequence[1:], strict=False)
        if following == GAP
    )
    for _, run in cjk_runs(sequence):
        text = "".join(run)
        for size in range(2, NGRAM_MAX + 1):
            found.update(text[i : i + size] for i in range(len(text) - size + 1))
    return found


def term_lexemes(sequence) -> tuple[list[str], bool]:
    """Lexemes every document containing ``sequence`` has, and whether having them is the
    same as containing it (a single word, or a run of up to NGRAM_MAX CJK characters).

    互联网医院 -> [互联网医, 联网医院] (not exact: a substring test decides);
    人工智能 -> [人工智能] (exact); ``5g 急救`` -> [5g, 5g+GAP, 急救].
    """
    units_only = [unit for unit in sequence if unit != GAP]
    if len(sequence) == 1 or (
        len(sequence) <= NGRAM_MAX and all(is_cjk(unit) for unit in sequence)
    ):
        return ["".join(sequence)], True
    found = {unit for unit in units_only if not is_cjk(unit)}
    found.update(
        unit + GAP
        for unit, following in zip(sequence, sequence[1:], strict=False)
        if following == GAP
    )
    for _, run in cjk_runs(sequence):
        text = "".join(run)
        size = min(NGRAM_MAX, len(text))
        found.update(text[i : i + size] for i in range(len(text) - size + 1))
    return sorted(found), False


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
