"""Robust input: no URL or query string a reader (or a scanner) can send makes a 500.

Hypothesis fills every public URL pattern (tests/public_urls.py, so new pages, feeds and
search are fuzzed as they land) with values for its route (real slugs and numbers, huge
numbers, Unicode, NUL bytes, very long strings) and adds query strings built from the
parameters the site reads and random ones: page numbers, dates right and wrong, IDs, SQL
and template syntax, repeated keys, broken percent-encoding. Every answer must be below
500. Examples are bounded so that the suite stays fast.
"""

import datetime
import os
from urllib.parse import quote, urlencode

import pytest
from django.urls import converters as url_converters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories, public_urls

# A deeper search by hand: FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/test_fuzz_urls.py
EXAMPLES_PER_PATTERN = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_PATTERN,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PARAMETERS = ["page", "q", "year", "series", "source", "tag", "date_after", "date_before"]
PARAMETERS += ["date", "preview", "format", "id", "sort", "o"]
NASTY = [
    "' OR 1=1 --",
    "1; DROP TABLE bulletins_article; --",
    '" UNION SELECT password FROM auth_user --',
    "{{ request.META }}",
    "{% debug %}",
    "${7*7}",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "\x00",
    "a\x00b",
    "%00",
    "\ud7ff\ue000\U0010ffff",
    "医保\u200b\u202e",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 40,
    "2025-02-30",
    "0000-00-00",
    "9999-12-31",
    "2025-13-01",
    "x" * 5000,
]
RAW_QUERIES = ["%FF%FE", "%ZZ", "q=%E5%8C", "&&&", "=", "page", "page=1&page=2&page=last"]


def values_for(converter):
    """Values for a route parameter: what its converter accepts, and nasty text."""
    matching = st.from_regex(converter.regex, fullmatch=True)
    if isinstance(converter, url_converters.IntConverter):
        return st.one_of(
            st.integers(min_value=0, max_value=10**6),
            st.integers(min_value=2**31 - 2, max_value=10**40),
            matching.map(int),
        )
    nasty = st.sampled_from(NASTY).filter(lambda text: "/" not in text)
    text = st.text(st.characters(exclude_characters="/", exclude_categories=["Cs"]), min_size=1)
    return st.one_of(matching, nasty, text)


def query_values(real: list[str]):
    return st.one_of(
        st.sampled_from(real),
        st.sampled_from(NASTY),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.dates(min_value=datetime.date(1, 1, 1)).map(str),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=60),
    )


def query_strings(real: list[str]):
    pairs = st.lists(
        st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=10), query_values(real)),
        max_size=6,
    )
    return st.one_of(pairs.map(urlencode), st.sampled_from(RAW_QUERIES))


@pytest.fixture
def small_archive(db):
    """Something for real slugs and numbers to find: two issues, tags, sources."""
    insurance, ai = factories.tag("医保"), factories.tag("人工智能")
    weekly = factories.issue(number=636)
    monthly = factories.issue(series_slug="monthly", number=540)
    factories.article(issue_obj=weekly, source=factories.source("人民网"), tags=[insurance])
    factories.article(issue_obj=monthly, source=factories.source("新华社"), tags=[ai])
    factories.draft_issue(number=637)


def real_values() -> list[str]:
    """The strings that real objects put in URLs and filters (slugs, numbers, pks)."""
    values = {"weekly", "monthly", "2025", "1", "2"}
    for kwargs in public_urls.values_of(public_urls.public_objects()):
        values.update(str(value) for value in kwargs.values())
    return sorted(values)


PATTERNS = public_urls.public_patterns()


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.route or "/" for p in PATTERNS])
@FUZZ_SETTINGS
@given(data=st.data())
def test_no_url_of_a_public_pattern_makes_a_server_error(client, small_archive, pattern, data):
    """Any route value and query string on any public pattern: never a 500."""
    real = real_values()
    values = {
        name: data.draw(st.sampled_from(real) | values_for(pattern.converters[name]), name)
        for name in sorted(pattern.params)
    }
    path = pattern.url(values)
    query = data.draw(query_strings(real), "query")
    response = client.get(public_urls.with_query(path, query))
    assert response.status_code < 500, (path, query, response.status_code)


@FUZZ_SETTINGS
@given(
    path=st.lists(
        st.one_of(
            st.sampled_from(["issues", "articles", "sources", "tags", "feeds", "search"]),
            st.text(st.characters(exclude_characters="/?#", exclude_categories=["Cs"])),
            st.sampled_from(["%FF", "%00", "..", "%2F", "x" * 3000, "9" * 30]),
        ),
        max_size=5,
    )
)
def test_no_path_at_all_makes_a_server_error(client, small_archive, path):
    """Paths outside every pattern, broken encodings included: a 404 (or a redirect)."""
    url = "/" + "/".join(quote(part, safe="%") for part in path) + "/"
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("url", ["/tags/%00/", "/sources/a%00b/", "/articles/?q=%00", "/?%00=1"])
def test_a_nul_byte_in_the_url_is_a_bad_request(client, small_archive, url):
    """Found by the fuzzer on PostgreSQL (which refuses NUL in text): a 400, not a 500."""
    assert client.get(url).status_code == 400
