"""Articles as the search index sees them: which text, in which field, with which facts.

The index holds, for every article, its title and original title (ranked highest), its
tags and source (next), and the text of its body as readers see it (rendered Markdown,
tags stripped), plus the facts the results page sorts and narrows by.
"""

import html
import re
from dataclasses import dataclass, field

from ..models import Article
from .tokens import FIELD, join_fields

_BLOCK_TAG = re.compile(
    r"</?(?:p|br|li|ul|ol|td|th|tr|table|thead|tbody|h\d|figure|figcaption|blockquote|pre|hr)"
    r"\b[^>]*>"
)
_TAG = re.compile(r"<[^>]*>")


def plain_text(body_html: str) -> str:
    """The text of sanitised article HTML, blocks on lines of their own."""
    text = _BLOCK_TAG.sub("\n", body_html or "")
    return html.unescape(_TAG.sub("", text))


@dataclass
class Document:
    article_id: int
    issue_id: int
    series_id: int
    source_id: int | None
    publication_date: object
    position: int
    title: str
    original_title: str
    source: str
    body: str
    tags: list = field(default_factory=list)  # (tag id, name)

    @property
    def title_fields(self) -> list[str]:
        return [self.title, self.original_title]

    @property
    def meta_fields(self) -> list[str]:
        return [name for _, name in self.tags] + [self.source]

    @property
    def tag_ids(self) -> str:
        """Tag ids as stored for facets: ``" 3 7 12 "``."""
        return " " + " ".join(str(pk) for pk, _ in self.tags) + " " if self.tags else ""

    def units(self) -> list[str]:
        """Every field's units, the fields kept apart: what a query is matched against."""
        head = join_fields(self.title_fields + self.meta_fields)
        body = join_fields([self.body])
        return head + [FIELD] + body if head and body else head or body


def load(article_ids) -> list[Document]:
    """The documents of the given articles (any status), in one query and one for tags."""
    rows = Article.objects.filter(pk__in=article_ids).values_list(
        "pk",
        "issue_id",
        "issue__series_id",
        "source_id",
        "issue__publication_date",
        "position",
        "title",
        "original_title",
        "source__name",
        "body_html",
    )
    documents = {
        row[0]: Document(*row[:8], source=row[8] or "", body=plain_text(row[9])) for row in rows
    }
    links = Article.tags.through.objects.filter(article_id__in=list(documents)).order_by(
        "tag__name"
    )
    for article_id, tag_id, name in links.values_list("article_id", "tag_id", "tag__name"):
        documents[article_id].tags.append((tag_id, name))
    return list(documents.values())
