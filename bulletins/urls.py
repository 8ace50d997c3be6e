from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from .exporting import views as exporting_views
from .public import search as search_views
from .public import views
from .syndication import feeds, opml, sitemaps


class UnicodeSlugConverter:
    """A slug that may hold Chinese (what SlugField(allow_unicode=True) accepts).

    Anything else (a NUL byte, punctuation) never reaches the database: it is a 404.
    """

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "bulletins"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("issues/", views.IssueArchiveView.as_view(), name="issue-archive"),
    path("issues/<slug:series>/", views.SeriesArchiveView.as_view(), name="series-archive"),
    path("issues/<slug:series>/feed/", feeds.SeriesFeed(), name="series-feed"),
    path("issues/<slug:series>/feed/atom/", feeds.SeriesFeed(atom=True), name="series-feed-atom"),
    path(
        "issues/<slug:series>/<int:number>/", views.IssueDetailView.as_view(), name="issue-detail"
    ),
    path(
        "issues/<slug:series>/<int:number>/print/",
        exporting_views.issue_print,
        name="issue-print",
    ),
    path(
        "issues/<slug:series>/<int:number>/bulletin.docx",
        exporting_views.issue_docx,
        name="issue-docx",
    ),
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    path("articles/<int:pk>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<uslug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    # <uslug:> stops at "/": …/feed/ never reads as a source or tag named "feed/".
    path("sources/<uslug:slug>/feed/", feeds.SourceFeed(), name="source-feed"),
    path("sources/<uslug:slug>/feed/atom/", feeds.SourceFeed(atom=True), name="source-feed-atom"),
    path("tags/", views.TagListView.as_view(), name="tag-list"),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("tags/<uslug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("tags/<uslug:slug>/feed/atom/", feeds.TagFeed(atom=True), name="tag-feed-atom"),
    path("feeds/", views.FeedListView.as_view(), name="feed-list"),
    path("feeds/subscriptions.opml", opml.subscriptions_opml, name="feed-opml"),
    path("feeds/issues/", feeds.IssuesFeed(), name="issues-feed"),
    path("feeds/issues/atom/", feeds.IssuesFeed(atom=True), name="issues-feed-atom"),
    path("feeds/articles/", feeds.ArticlesFeed(), name="articles-feed"),
    path("feeds/articles/atom/", feeds.ArticlesFeed(atom=True), name="articles-feed-atom"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "bulletins:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", sitemaps.robots_txt, name="robots-txt"),
    path("search/", search_views.SearchView.as_view(), name="search"),
    path("search/feed/", search_views.SearchFeed(), name="search-feed"),
    path("search/feed/atom/", search_views.SearchFeed(atom=True), name="search-feed-atom"),
]
