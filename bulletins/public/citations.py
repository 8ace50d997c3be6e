"""The citations a page offers (GB/T 7714-2015), dated the day the reader sees it."""

from django.utils import timezone

from ..text.formatting import article_citation, issue_citation


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
