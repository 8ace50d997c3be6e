from django.urls import path, register_converter

from . import views
from .exporting import views as exporting_views


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
    path("tags/", views.TagListView.as_view(), name="tag-list"),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
]
