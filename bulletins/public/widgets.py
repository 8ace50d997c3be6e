"""Choice widgets that render their options in Python.

Django renders each <option> and each checkbox through the form template engine. The
article filter offers every public source, tag and year: a few hundred options, which
took more time than the rest of the page together. These widgets produce the same markup
with plain string formatting (every value escaped). Grouped choices fall back to Django.
"""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget


def _flat(choices):
    """(value, label) pairs, or None when the choices are grouped."""
    pairs = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            return None
        pairs.append(("" if value is None else str(value), str(label)))
    return pairs


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        choices = _flat(self.choices)
        if choices is None or self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if v in chosen else ""}>{escape(label)}'
            "</option>"
            for v, label in choices
        )
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")  # noqa: S308


class FastCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def render(self, name, value, attrs=None, renderer=None):
        choices = _flat(self.choices)
        if choices is None:
            return super().render(name, value, attrs, renderer)
        chosen = set(self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, attrs or {})
        base_id = final_attrs.pop("id", None)
        extra = flatatt(final_attrs)
        items = []
        for index, (v, label) in enumerate(choices):
            box_id = f' id="{escape(base_id)}_{index}"' if base_id else ""
            label_for = f' for="{escape(base_id)}_{index}"' if base_id else ""
            checked = " checked" if v in chosen else ""
            items.append(
                f'<div><label{label_for}><input type="checkbox" name="{escape(name)}" '
                f'value="{escape(v)}"{box_id}{extra}{checked}> {escape(label)}</label></div>'
            )
        wrapper_id = f' id="{escape(base_id)}"' if base_id else ""
        return mark_safe(f"<div{wrapper_id}>{''.join(items)}</div>")  # noqa: S308


class LabelledDateRangeWidget(DateRangeWidget):
    """From and to dates (type="date"), each with its own accessible name: the fieldset's
    legend names the pair, and a screen reader must still tell the two inputs apart."""

    names = (_("起始日期"), _("截止日期"))

    def __init__(self, attrs=None):
        super().__init__({"type": "date", **(attrs or {})})
        for widget, name in zip(self.widgets, self.names, strict=True):
            widget.attrs["aria-label"] = name
