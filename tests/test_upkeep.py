"""Source and tag upkeep: merging duplicates and renaming keep every old address working.

Articles move to the kept source or tag, the old slug answers 301 with the new page,
counts on /sources/ and /tags/ are right at once, a source's merged or former name
becomes an alias so that future imports find it.
"""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from bulletins.editorial import curation
from bulletins.models import Article, SlugRedirect, Source, SourceAlias, Tag
from tests import factories
from tests.admin_forms import post_form


@pytest.fixture
def reviewer_client(client):
    client.force_login(factories.reviewer())
    return client


def merge(client, model, keep, others):
    url = reverse(f"admin:bulletins_{model}_changelist")
    return client.post(
        url,
        {
            "action": "merge_selected",
            "_selected_action": [keep.pk, *(o.pk for o in others)],
            "apply": "1",
            "keep": keep.pk,
        },
    )


def rename(client, obj, name, slug=""):
    url = reverse(f"admin:bulletins_{obj._meta.model_name}_changelist")
    return client.post(
        url,
        {
            "action": "rename_selected",
            "_selected_action": [obj.pk],
            "apply": "1",
            "name": name,
            "slug": slug,
        },
    )


def count_on(page: str, name: str) -> int | None:
    """The article count shown beside ``name`` on /sources/ or /tags/ (None: not listed)."""
    found = re.search(rf'>{re.escape(name)}</a> <span class="count">(\d+) 篇', page)
    return int(found.group(1)) if found else None


@pytest.mark.django_db
def test_merging_sources_moves_articles_and_redirects_the_old_page(client, reviewer_client):
    keep = factories.source("人民网")
    duplicate = factories.source("人民网-人民日报", homepage="http://people.example.cn/")
    SourceAlias.objects.create(name="人民日报网", source=duplicate)
    kept_articles = [factories.article(source=keep) for _ in range(2)]
    moved = [factories.article(source=duplicate) for _ in range(3)]
    old_url = duplicate.get_absolute_url()
    before = client.get("/sources/").text  # the counts are now kept for this version
    assert (count_on(before, "人民网"), count_on(before, "人民网-人民日报")) == (2, 3)

    page = merge(reviewer_client, "source", keep, [duplicate])
    assert page.status_code == 302

    assert not Source.objects.filter(pk=duplicate.pk).exists()
    assert set(Article.objects.filter(source=keep)) == set(kept_articles + moved)
    keep.refresh_from_db()
    assert keep.homepage == "http://people.example.cn/"  # a blank filled from the merged one
    aliases = set(keep.aliases.values_list("name", flat=True))
    assert aliases == {"人民网-人民日报", "人民日报网"}
    response = client.get(old_url + "?page=1")
    assert response.status_code == 301
    assert response["Location"] == keep.get_absolute_url() + "?page=1"
    sources = client.get("/sources/").text
    assert (count_on(sources, "人民网"), count_on(sources, "人民网-人民日报")) == (5, None)
    assert client.get(keep.get_absolute_url()).status_code == 200
    log = LogEntry.objects.get(object_id=str(keep.pk))
    assert "人民网-人民日报 并入 人民网" in log.change_message
    assert LogEntry.objects.filter(object_id=str(duplicate.pk), action_flag=3).exists()


@pytest.mark.django_db
def test_merging_tags_keeps_one_link_per_article(client, reviewer_client):
    keep, duplicate, other = factories.tag("医保"), factories.tag("医疗保障"), factories.tag("AI")
    both = factories.article(tags=[keep, duplicate, other])
    only_duplicate = factories.article(tags=[duplicate])
    old_url = duplicate.get_absolute_url()
    before = client.get("/tags/").text
    assert (count_on(before, "医保"), count_on(before, "医疗保障")) == (1, 2)
    merge(reviewer_client, "tag", keep, [duplicate])
    assert list(both.tags.order_by("name").values_list("name", flat=True)) == ["AI", "医保"]
    assert list(only_duplicate.tags.all()) == [keep]
    assert client.get(old_url)["Location"] == keep.get_absolute_url()
    tags = client.get("/tags/").text
    assert (count_on(tags, "医保"), count_on(tags, "医疗保障"), count_on(tags, "AI")) == (
        2,
        None,
        1,
    )


@pytest.mark.django_db
def test_redirects_follow_a_source_through_several_merges(client):
    first, second, third = (factories.source(n) for n in ["甲网", "乙网", "丙网"])
    factories.article(source=third)
    curation.merge_sources(second, [first])
    curation.merge_sources(third, [second])
    for gone in (first, second):
        response = client.get(gone.get_absolute_url())
        assert response.status_code == 301
        assert response["Location"] == third.get_absolute_url()


@pytest.mark.django_db
def test_renaming_keeps_the_old_address_and_name(client, reviewer_client):
    source = factories.source("健康报网")
    factories.article(source=source)
    old_url = source.get_absolute_url()
    rename(reviewer_client, source, "健康报", slug="jiankangbao")
    source.refresh_from_db()
    assert source.name == "健康报" and source.get_absolute_url() == "/sources/jiankangbao/"
    assert client.get(old_url).status_code == 301
    assert client.get(old_url)["Location"] == "/sources/jiankangbao/"
    assert client.get("/sources/jiankangbao/").status_code == 200
    assert list(source.aliases.values_list("name", flat=True)) == ["健康报网"]
    assert any("健康报网 → 健康报" in e.change_message for e in LogEntry.objects.all())


@pytest.mark.django_db
def test_renaming_back_frees_the_old_address(client):
    tag = factories.tag("数据要素")
    factories.article(tags=[tag])
    original = tag.slug
    curation.rename(tag, "数据要素市场")
    curation.rename(tag, "数据要素", slug=original)
    assert client.get(f"/tags/{original}/").status_code == 200  # no redirect loop
    assert SlugRedirect.objects.target(Tag, original) is None
    assert SlugRedirect.objects.target(Tag, "数据要素市场") == tag
    assert client.get("/tags/数据要素市场/")["Location"] == iri_to_uri(f"/tags/{original}/")


@pytest.mark.django_db
def test_a_slug_changed_in_the_change_form_redirects_too(client, reviewer_client):
    tag = factories.tag("互联网医院")
    factories.article(tags=[tag])
    old_url = tag.get_absolute_url()
    url = reverse("admin:bulletins_tag_change", args=[tag.pk])
    post_form(reviewer_client, url, "tag_form", {"slug": "hulianwang-yiyuan"})
    assert client.get(old_url)["Location"] == "/tags/hulianwang-yiyuan/"


@pytest.mark.django_db
def test_rename_refuses_a_name_in_use(reviewer_client):
    factories.source("新华网")
    other = factories.source("新华社")
    page = rename(reviewer_client, other, "新华网")
    assert "已有同名的一项" in page.text
    other.refresh_from_db()
    assert other.name == "新华社"


@pytest.mark.django_db
def test_unknown_slugs_are_still_404(client):
    assert client.get("/sources/never-was/").status_code == 404
    assert client.get("/tags/never-was/").status_code == 404
    assert SlugRedirect.objects.target(Source, "never-was") is None


@pytest.mark.django_db
def test_feeds_of_a_merged_tag_or_source_lead_to_the_kept_ones_feeds(client, reviewer_client):
    """Subscribers of the old feed follow the 301 and keep getting the same articles."""
    keep, duplicate = factories.tag("医保"), factories.tag("医疗保障")
    factories.article(tags=[duplicate])
    people, duplicate_source = factories.source("人民网"), factories.source("人民网-人民日报")
    factories.article(source=duplicate_source)
    old_feeds = {
        f"/tags/{duplicate.slug}/feed/": f"/tags/{keep.slug}/feed/",
        f"/tags/{duplicate.slug}/feed/atom/": f"/tags/{keep.slug}/feed/atom/",
        f"/sources/{duplicate_source.slug}/feed/": f"/sources/{people.slug}/feed/",
        f"/sources/{duplicate_source.slug}/feed/atom/": f"/sources/{people.slug}/feed/atom/",
    }
    merge(reviewer_client, "tag", keep, [duplicate])
    merge(reviewer_client, "source", people, [duplicate_source])
    for old, new in old_feeds.items():
        response = client.get(iri_to_uri(old))
        assert response.status_code == 301, old
        assert response["Location"] == iri_to_uri(new)
        assert client.get(response["Location"]).status_code == 200
    assert client.get(iri_to_uri("/tags/从未有过/feed/")).status_code == 404
