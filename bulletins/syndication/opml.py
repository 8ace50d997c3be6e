"""/feeds/subscriptions.opml: every series, tag and source feed, for a feed reader to import.

OPML 2.0 (http://opml.org/spec2.opml), one outline per group, one ``type="rss"`` outline
per feed (the RSS address; readers use that type for Atom too), written with the same
XML generator as the feeds so that every name is escaped.
"""

import io

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.xmlutils import SimplerXMLGenerator

from . import catalogue


def opml_document(groups, absolute) -> str:
    out = io.StringIO()
    xml = SimplerXMLGenerator(out, "utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("opml", {"version": "2.0"})
    xml.startElement("head", {})
    xml.addQuickElement("title", gettext("%(site)s的订阅源") % {"site": settings.SITE_NAME})
    xml.endElement("head")
    xml.startElement("body", {})
    for group in groups:
        xml.startElement("outline", {"text": group.name, "title": group.name})
        for feed in group.feeds:
            attributes = {
                "type": "rss",
                "text": feed.title,
                "title": feed.full_title,
                "xmlUrl": absolute(feed.rss_url),
                "htmlUrl": absolute(feed.page_url),
                "description": feed.description,
            }
            xml.addQuickElement("outline", attrs=attributes)
        xml.endElement("outline")
    xml.endElement("body")
    xml.endElement("opml")
    return out.getvalue()


def subscriptions_opml(request):
    document = opml_document(catalogue.subject_groups(), request.build_absolute_uri)
    response = HttpResponse(document, content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="subscriptions.opml"'
    return response
