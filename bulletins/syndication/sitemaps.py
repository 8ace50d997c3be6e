"""What crawlers are told: /sitemap.xml (an index of sections) and /robots.txt.

Every section starts from ``.published()``; sources and tags appear once they have a
public article. Each URL carries ``lastmod``, the newest change that shows on its page,
computed in the query; each section's newest is one aggregate, so the index does not
load every item to find it (Django's default would).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property

from ..models import Article, Issue, Series, Source, Tag


def _article_changed(prefix: str = ""):
    """When an article's page last changed: its own edit, or its issue's edit or release."""
    return Greatest(
        f"{prefix}updated_at", f"{prefix}issue__updated_at", f"{prefix}issue__published_at"
    )


def _newest(articles, group_by: str):
    """Subquery: the newest change among ``articles``, per ``group_by`` (OuterRef'd)."""
    newest = articles.order_by().values(group_by).annotate(newest=Max(_article_changed()))
    return Subquery(newest.values("newest"))


class PublicSitemap(Sitemap):
    """Items annotated with ``last_modified``; the section's size and newest change by
    one aggregate, which is all the index asks of it (one query per section)."""

    def lastmod(self, item):
        return item.last_modified

    @cached_property
    def summary(self) -> dict:
        return self.items().aggregate(count=Count("pk"), newest=Max("last_modified"))

    def get_latest_lastmod(self):
        return self.summary["newest"]

    @property
    def paginator(self):
        paginator = super().paginator
        paginator.count = self.summary["count"]  # the index's page count, without COUNT(*)
        return paginator


class IssueSitemap(PublicSitemap):
    def items(self):
        newest_article = Subquery(
            Article.objects.filter(issue=OuterRef("pk"))
            .order_by("-updated_at")
            .values("updated_at")[:1]
        )
        changed = Greatest("updated_at", "published_at", Coalesce(newest_article, "updated_at"))
        return (
            Issue.objects.published()
            .select_related("series")
            .only("number", "series__slug", "updated_at", "published_at")
            .annotate(last_modified=changed)
            .order_by("pk")
        )


class ArticleSitemap(PublicSitemap):
    def items(self):
        return (
            Article.objects.published()
            .only("pk")
            .annotate(last_modified=_article_changed())
            .order_by("pk")
        )


class SeriesSitemap(PublicSitemap):
    """Series archives, once the series has a public issue."""

    def items(self):
        newest = (
            Issue.objects.published()
            .filter(series=OuterRef("pk"))
            .order_by()
            .values("series")
            .annotate(newest=Max(Greatest("updated_at", "published_at")))
            .values("newest")
        )
        return (
            Series.objects.annotate(last_modified=Subquery(newest))
            .filter(last_modified__isnull=False)
            .order_by("position", "pk")
        )


class SourceSitemap(PublicSitemap):
    def items(self):
        articles = Article.objects.published().filter(source=OuterRef("pk"))
        return (
            Source.objects.annotate(last_modified=_newest(articles, "source"))
            .filter(last_modified__isnull=False)
            .only("slug")
            .order_by("pk")
        )


class TagSitemap(PublicSitemap):
    def items(self):
        articles = Article.objects.published().filter(tags=OuterRef("pk"))
        return (
            Tag.objects.annotate(last_modified=_newest(articles, "tags"))
            .filter(last_modified__isnull=False)
            .only("slug")
            .order_by("pk")
        )


SITEMAPS = {
    "series": SeriesSitemap,
    "issues": IssueSitemap,
    "articles": ArticleSitemap,
    "sources": SourceSitemap,
    "tags": TagSitemap,
}


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("bulletins:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
