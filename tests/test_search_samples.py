"""Search over the real sample bulletins (../shared/samples), loaded as published issues.

The samples are parsed with the importer and stored here with the fewest fields needed
(the real loader is another piece of work); each word must find exactly the articles whose
text contains it. These tests skip when the samples are absent.
"""

import unicodedata
from pathlib import Path

import pytest

from bulletins.importing import parse_document
from bulletins.models import Article
from bulletins.search.documents import plain_text
from bulletins.search.engine import Search
from tests import factories

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
NAMES = ["weekly-636.txt", "weekly-596.md", "monthly-542.txt"]

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"sample bulletins not available at {SAMPLES}"
)


@pytest.fixture
def samples(db):
    present = [name for name in NAMES if (SAMPLES / name).exists()]
    if not present:
        pytest.skip(f"no sample bulletins at {SAMPLES}")
    for name in present:
        bulletin = parse_document(name, (SAMPLES / name).read_bytes())
        issue = factories.issue(
            series_slug=bulletin.series_slug,
            number=bulletin.number,
            publication_date=bulletin.publication_date,
            intro=bulletin.intro,
        )
        for parsed in bulletin.articles:
            factories.article(
                issue_obj=issue,
                position=parsed.position,
                title=parsed.title,
                original_title=parsed.original_title,
                source=factories.source(parsed.source or "来源不详"),
                original_url=parsed.link,
                original_date=parsed.original_date,
                body=parsed.body,
            )
    return list(Article.objects.select_related("source"))


def containing(articles, word: str) -> set:
    """A plain substring scan of every field a reader can see, folded (NFKC, lower case)."""
    found = set()
    for article in articles:
        fields = [article.title, article.original_title, article.source.name]
        fields.append(plain_text(article.body_html))
        if any(word in unicodedata.normalize("NFKC", field).lower() for field in fields):
            found.add(article.pk)
    return found


@pytest.mark.parametrize("word", ["医保", "人工智能", "互联网医院", "机器人"])
def test_sample_words_find_exactly_the_articles_that_contain_them(samples, word):
    expected = containing(samples, word)
    found = Search(word)
    assert set(found.ids()) == expected
    assert found.count == len(expected)
    assert {pk for pk, _ in found.top("relevance", 50)} == expected


def test_the_sample_words_are_there_to_be_found(samples):
    """The scan itself finds the words where the bulletins use them."""
    assert len(containing(samples, "医保")) >= 3
    assert len(containing(samples, "人工智能")) >= 5
    assert len(containing(samples, "机器人")) >= 2
    titled = Search("医保").top("relevance", 3)
    assert titled and titled[0][1] == 2  # a title with 医保 comes first
