"""Two versions of a text as HTML with deletions and insertions marked (<del>, <ins>).

Paragraphs are matched first, then the characters of a changed paragraph, so that a
correction inside a long Chinese body shows as the few characters that changed.
Everything is escaped: the texts are stored editor input.
"""

import difflib

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

# Character-level matching is quadratic; longer paragraphs are shown whole, old then new.
MAX_CHARACTER_DIFF = 3000


def _marked(tag: str, text: str):
    return format_html("<{}>{}</{}>", mark_safe(tag), text, mark_safe(tag)) if text else ""


def _characters(old: str, new: str):
    if len(old) + len(new) > MAX_CHARACTER_DIFF:
        return format_html("{}{}", _marked("del", old), _marked("ins", new))
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(format_html("{}", old[i1:i2]))
        else:
            parts.append(_marked("del", old[i1:i2]))
            parts.append(_marked("ins", new[j1:j2]))
    return mark_safe("".join(str(part) for part in parts))


def html_diff(old: str, new: str):
    """``old`` → ``new`` as safe HTML, one <p> per paragraph."""
    old_lines, new_lines = (old or "").splitlines(), (new or "").splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    paragraphs = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            paragraphs += [format_html("{}", line) for line in old_lines[i1:i2]]
        elif op == "replace" and i2 - i1 == j2 - j1:
            paragraphs += [
                _characters(a, b) for a, b in zip(old_lines[i1:i2], new_lines[j1:j2], strict=True)
            ]
        else:
            paragraphs += [_marked("del", line) for line in old_lines[i1:i2]]
            paragraphs += [_marked("ins", line) for line in new_lines[j1:j2]]
    return format_html_join("", "<p>{}</p>", ((p,) for p in paragraphs if p != ""))
