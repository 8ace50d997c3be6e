"""{% page_metadata %}, {% issue_metadata issue %} and {% article_metadata article %}:
canonical URL, OpenGraph, Twitter card and JSON-LD for a page's <head> (see metadata.py)."""

from django import template

from ..public import metadata

register = template.Library()


@register.simple_tag(takes_context=True)
def page_metadata(context, title="", description=""):
    request = context.get("request")
    if request is None:  # rendered without a request: nothing to point at
        return ""
    meta = metadata.for_page(
        request,
        title=title,
        description=description,
        view=context.get("view"),
        page_obj=context.get("page_obj"),
    )
    return metadata.render(meta)


@register.simple_tag(takes_context=True)
def issue_metadata(context, issue):
    return metadata.render(metadata.for_issue(context["request"], issue))


@register.simple_tag(takes_context=True)
def article_metadata(context, article):
    return metadata.render(metadata.for_article(context["request"], article))
