"""Reading bulletins (text, Markdown, Word) into plain data the loader can store.

``parse_document(name, data)`` picks the reader by extension; every failure is raised as
``BulletinParseError`` whose ``problems`` name the line and what was expected.
"""

from .documents import parse_document
from .docx import parse_docx
from .parse import parse_text
from .result import BulletinParseError, ParsedArticle, ParsedBulletin, Problem, TocEntry

__all__ = [
    "BulletinParseError",
    "ParsedArticle",
    "ParsedBulletin",
    "Problem",
    "TocEntry",
    "parse_docx",
    "parse_document",
    "parse_text",
]
