"""/issues/<series>/<number>/print/ and …/bulletin.docx: public issues, and previews.

Like the issue page, both start from ``Issue.objects.published()``; an unpublished issue
is shown only as a marked preview to those who may preview it (bulletins/preview.py).
"""

from django.http import HttpResponse
from django.shortcuts import render

from .. import preview
from ..models import Article, Issue
from .docx import issue_document


def get_issue(request, series, number):
    """(issue, its articles in order, whether this is a preview)."""
    issues = Issue.objects.select_related("series", "approved_by")
    lookup = {"series__slug": series, "number": number}
    issue = issues.published().filter(**lookup).first()
    is_preview = issue is None
    if is_preview:
        issue = preview.previewable(request, issues, lambda issue: issue, **lookup)
    articles = list(
        Article.objects.filter(issue=issue).select_related("source").order_by("position")
    )
    return issue, articles, is_preview


def _finish(response, is_preview):
    return preview.mark_as_preview(response) if is_preview else response


def issue_print(request, series, number):
    issue, articles, is_preview = get_issue(request, series, number)
    response = render(
        request,
        "bulletins/issue_print.html",
        {"issue": issue, "articles": articles, "preview": is_preview},
    )
    return _finish(response, is_preview)


def issue_docx(request, series, number):
    issue, articles, is_preview = get_issue(request, series, number)
    response = HttpResponse(
        issue_document(issue, articles),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = f"{issue.series.slug}-{issue.number}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _finish(response, is_preview)
