"""``{% kept "name" part… %}…{% endkept %}``: a block rendered once per content version.

The block is kept in each process (caching/memo.py builds the key from the release, the
content version and the language); a template names only what the block depends on
besides public content: an object's id, the host its absolute URLs carry, a list.
A preview (``preview`` true in the context) renders the block afresh, never kept: drafts
do not start new content versions.
"""

from django import template

from ..caching import memo

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist, parts):
        self.nodelist = nodelist
        self.parts = parts

    def render(self, context):
        if context.get("preview"):  # unpublished content is never kept
            return self.nodelist.render(context)
        parts = [part.resolve(context) for part in self.parts]
        return memo.fragment(parts, lambda: self.nodelist.render(context))


@register.tag
def kept(parser, token):
    parts = token.split_contents()[1:]
    if not parts:
        raise template.TemplateSyntaxError("{% kept %} needs a name")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, [parser.compile_filter(part) for part in parts])
