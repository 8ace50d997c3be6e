"""Property tests through the loader: mangled documents are stored whole or not at all.

Whatever the document, parse_document + load_bulletin either store an issue with every
article of the parsed result, or raise the importer's error (BulletinParseError, of which
BulletinLoadError is one) and leave the database exactly as it was. An unexpected failure
(a database error the checks before writing missed, a bug) would show as 'internal error'
or 'database error' messages, which are not allowed here.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletins.importing import BulletinParseError, parse_document
from bulletins.importing.load import load_bulletin
from bulletins.models import Issue
from tests.test_import_load import database_state
from tests.test_parse_properties import mangled

pytestmark = pytest.mark.django_db

LOADER_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
UNEXPECTED = ("内部错误", "写入数据库时出错")


def load_or_reject(name: str, data: bytes, publish: bool) -> None:
    before = database_state()
    try:
        parsed = parse_document(name, data)
        result = load_bulletin(parsed, publish=publish)
    except BulletinParseError as error:
        assert error.problems
        assert not any(p.message.startswith(UNEXPECTED) for p in error.problems), error.problems
        assert database_state() == before
        return
    issue = Issue.objects.get(pk=result.issue.pk)
    assert (issue.series.slug, issue.number) == (parsed.series_slug, parsed.number)
    assert issue.articles.count() == len(parsed.articles)
    assert issue.status == (Issue.Status.PUBLISHED if publish else Issue.Status.DRAFT)


@LOADER_SETTINGS
@given(mangled(), st.booleans())
def test_mangled_documents_are_loaded_whole_or_not_at_all(text, publish):
    load_or_reject("mangled.txt", text.encode("utf-8", "surrogatepass"), publish)


@LOADER_SETTINGS
@given(mangled())
def test_mangled_markdown_documents_are_loaded_whole_or_not_at_all(text):
    load_or_reject("mangled.md", text.encode("utf-8", "surrogatepass"), False)
