"""Chinese issue numerals: 636 <-> 六三六 (digit by digit, as the centre writes them).

Pure functions, no Django imports. Parsing also accepts positional forms
(六百三十六, 六百零五, 十二), 〇 and 零 for zero, full-width and ASCII digits.
"""

import re
import unicodedata

DIGITS = "〇一二三四五六七八九"
_DIGIT_VALUES = {ch: i for i, ch in enumerate(DIGITS)} | {"零": 0, "○": 0, "O": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_LABEL = re.compile(r"^\s*[(（]?\s*第?\s*(?P<num>[^期)）]+?)\s*期?\s*[)）]?\s*$")


class NumeralError(ValueError):
    """The text is not a number in any form we recognise."""


def to_chinese(number: int) -> str:
    """636 -> '六三六': one Chinese digit per decimal digit."""
    if number < 0:
        raise NumeralError(f"negative issue number: {number}")
    return "".join(DIGITS[int(d)] for d in str(number))


def issue_label(number: int) -> str:
    """636 -> '第六三六期'."""
    return f"第{to_chinese(number)}期"


def parse(text: str) -> int:
    """Read an issue number written digit by digit, positionally or in Arabic digits.

    '六三六', '第六三六期', '(第六三六期)', '六百三十六', '6 3 6', '６３６' -> 636.
    """
    match = _LABEL.match(unicodedata.normalize("NFKC", text or ""))
    if not match:
        raise NumeralError(f"not an issue number: {text!r}")
    body = re.sub(r"\s+", "", match["num"])
    if not body:
        raise NumeralError(f"not an issue number: {text!r}")
    if body.isascii() and body.isdigit():
        return int(body)
    if any(ch in _UNITS for ch in body):
        return _parse_positional(body, text)
    try:
        return int("".join(str(_DIGIT_VALUES[ch]) for ch in body))
    except KeyError as exc:
        raise NumeralError(f"not an issue number: {text!r}") from exc


def _parse_positional(body: str, original: str) -> int:
    total, section, digit = 0, 0, None
    for ch in body:
        if ch in _DIGIT_VALUES:
            if digit is not None and _DIGIT_VALUES[ch] != 0 and digit != 0:
                raise NumeralError(f"two digits in a row in {original!r}")
            digit = _DIGIT_VALUES[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            raise NumeralError(f"not an issue number: {original!r}")
    return total + section + (digit or 0)
