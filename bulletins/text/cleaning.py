"""Text that is safe to publish anywhere: XML 1.0 (feeds, sitemaps), HTML, JSON, CSV.

Pure functions, no Django imports (the importer may use them too). ``clean_text`` is what
every text field of the archive stores (models.py runs it on every write); ``clean_line``
is the same for one-line fields (names, titles).

- Line breaks are one character, ``\\n``: ``\\r\\n`` and ``\\r`` (old Mac, some exports),
  ``\\v`` (Word's manual line break, arrives by copy-paste), ``\\f`` (page break), NEL and
  the Unicode line and paragraph separators.
- Characters XML 1.0 forbids are removed: the C0 controls other than tab and line breaks,
  surrogates (in a Python string they are always unpaired), U+FFFE and U+FFFF.
- So are those HTML calls parse errors and no text needs: DEL, the C1 controls and the
  other noncharacters (U+FDD0–U+FDEF and the last two code points of every plane).
"""

import re

# \r\n first, so that it becomes one line break and not two.
_LINE_BREAK = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
    )
    + "]"
)
_LINE_BREAKS_AND_SPACES = re.compile(r"[ \t]*\n[ \t]*")


def clean_text(text: str) -> str:
    """``text`` with one kind of line break and no character XML 1.0 or HTML forbids."""
    if text.isprintable():  # the usual case, checked fast: no control character at all
        return text
    return _FORBIDDEN.sub("", _LINE_BREAK.sub("\n", text))


def clean_line(text: str) -> str:
    """``clean_text`` for a one-line field: a line break inside it becomes a space."""
    text = clean_text(text)
    if "\n" not in text:
        return text
    return _LINE_BREAKS_AND_SPACES.sub(" ", text.strip("\n"))
