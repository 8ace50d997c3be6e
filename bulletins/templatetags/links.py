"""{% external_link url text %}: a link that leaves the site, only ever to an http(s) URL."""

from django import template

from ..text.markdown import external_link as build_external_link

register = template.Library()


@register.simple_tag
def external_link(url, text="", css_class=""):
    return build_external_link(url, text, css_class)
