"""How the centre writes things: dates, the standard intro sentence, citations.

Pure functions over plain values, so the model, templates, feeds and exports agree.
"""

import datetime
from functools import lru_cache
from html import escape

from django.utils.translation import get_language, gettext


def escaped_translations(messages: dict[str, str]) -> dict[str, str]:
    """{name: message} -> {name: the message translated and HTML-escaped}.

    For code that builds HTML for many items: gettext looks the active language up
    thread-locally on every call, so the words are worked out once per language.
    Mark the messages with gettext_noop so that makemessages finds them.
    """
    return _escaped_translations(get_language(), tuple(messages.items()))


@lru_cache(maxsize=32)
def _escaped_translations(language: str, messages: tuple) -> dict[str, str]:
    return {name: escape(gettext(message)) for name, message in messages}


def chinese_date(day: datetime.date) -> str:
    """2025年8月8日 (no leading zeros, as the bulletins print it)."""
    return f"{day.year}年{day.month}月{day.day}日"


def standard_intro(
    short_name: str, count: int, start: datetime.date | None, end: datetime.date | None
) -> str:
    """本期周报共收集3篇……信息，时间从2025年8月2日到2025年8月8日，监测范围包括……。"""
    period = ""
    if start and end:
        period = f"，时间从{chinese_date(start)}到{chinese_date(end)}"
    return (
        f"本期{short_name}共收集{count}篇卫生健康大数据与政策研究相关信息{period}，"
        "监测范围包括全国主流媒体及政府网站等。"
    )


def article_citation(
    *, title: str, source: str, original_date, original_url: str, accessed: datetime.date
) -> str:
    """GB/T 7714-2015 for an online news item: 责任者. 题名[EB/OL]. (发布日期)[引用日期]. URL."""
    parts = [f"{source}. " if source else "", f"{title}[EB/OL]. "]
    if original_date:
        parts.append(f"({original_date:%Y-%m-%d})")
    parts.append(f"[{accessed:%Y-%m-%d}]")
    parts.append(f". {original_url}." if original_url else ".")
    return "".join(parts)


def issue_citation(
    *,
    publisher: str,
    series: str,
    label: str,
    date: datetime.date,
    url: str,
    accessed: datetime.date,
) -> str:
    """GB/T 7714-2015, a report online: 责任者. 题名: 其他题名信息[R/OL]. (日期)[引用日期]. URL."""
    return f"{publisher}. {series}: {label}[R/OL]. ({date:%Y-%m-%d})[{accessed:%Y-%m-%d}]. {url}."


def person_name(user) -> str:
    """A user as the bulletin names them: 张伟 (family name first, no space), else the login."""
    full = f"{user.last_name}{user.first_name}".strip()
    return full or user.get_username()


def sign_off(name: str, day: datetime.date) -> str:
    """The 签发 line printed under the masthead: 签发：张伟　2025年8月8日."""
    return f"签发：{name}　{chinese_date(day)}" if name else f"签发：{chinese_date(day)}"
