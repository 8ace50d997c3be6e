"""Submit an admin form as a browser would: every field the page shows, with its value.

``form_data(html, form_id)`` reads the rendered form; tests change a few values and post
the rest unchanged, so the admin's real validation, inlines and read-only fields apply.
"""

from html.parser import HTMLParser

from django.http import QueryDict

_VALUE_INPUTS = {"submit", "button", "image", "reset", "file"}


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = QueryDict(mutable=True)
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in _VALUE_INPUTS:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._add(name, text.removeprefix("\n"))
            self._textarea = None

    def _add(self, name, value):
        if "__prefix__" not in name:  # the inline's template for new rows
            self.data.appendlist(name, value)


def form_data(html: str, form_id: str) -> QueryDict:
    reader = _FormReader(form_id)
    reader.feed(html)
    assert "csrfmiddlewaretoken" in reader.data, f"no form #{form_id} on the page"
    return reader.data


def post_form(client, url, form_id, changes=None, remove=()):
    """GET ``url``, change some fields, POST the form back; returns the POST's response."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = form_data(page.text, form_id)
    for name in remove:
        data.pop(name, None)
    for name, value in (changes or {}).items():
        if isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        else:
            data[name] = str(value)
    return client.post(url, {name: data.getlist(name) for name in data})
