from django.urls import path

from . import views
from .exporting import views as exporting_views
from .search import views as search_views

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
    path("sources/<str:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("tags/", views.TagListView.as_view(), name="tag-list"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("search/", search_views.SearchView.as_view(), name="search"),
    path("search/feed/", search_views.SearchFeed(), name="search-feed"),
]
