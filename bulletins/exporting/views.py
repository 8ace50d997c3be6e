"""/issues/<series>/<number>/print/ and …/bulletin.docx: public issues, and drafts for staff."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from ..models import Article, Issue
from ..public import preview
from ..text.formatting import article_citation, issue_citation
from .docx import issue_document


def get_issue(request, series, number):
    issues = Issue.objects.select_related("series", "approved_by")
    issue = get_object_or_404(issues, series__slug=series, number=number)
    if not issue.is_published() and not preview.may_preview(request, issue):
        raise Http404("not public")
    articles = list(
        Article.objects.filter(issue=issue).select_related("source").order_by("position")
    )
    return issue, articles


def _finish(response, issue):
    return response if issue.is_published() else preview.mark_as_preview(response)


def issue_print(request, series, number):
    issue, articles = get_issue(request, series, number)
    response = render(
        request,
        "bulletins/issue_print.html",
        {"issue": issue, "articles": articles, "preview": not issue.is_published()},
    )
    return _finish(response, issue)


def issue_docx(request, series, number):
    issue, articles = get_issue(request, series, number)
    response = HttpResponse(
        issue_document(issue, articles),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = f"{issue.series.slug}-{issue.number}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _finish(response, issue)


def citations_for(request, issue, article=None) -> dict:
    """Citation strings for the page (GB/T 7714-2015), dated today."""
    today = timezone.localdate()
    result = {
        "issue_citation": issue_citation(
            publisher=issue.series.publisher,
            series=issue.series.name,
            label=issue.label,
            date=issue.publication_date,
            url=request.build_absolute_uri(issue.get_absolute_url()),
            accessed=today,
        )
    }
    if article is not None:
        result["article_citation"] = article_citation(
            title=article.title,
            source=article.source.name if article.source else "",
            original_date=article.original_date,
            original_url=article.original_url,
            accessed=today,
        )
    return result
