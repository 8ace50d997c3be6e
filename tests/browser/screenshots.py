"""The README's screenshots: home, an issue, the filtered article list and the admin issue
form, on a desktop and a phone, taken from the demo archive (manage.py demo_data).

Run by ``python bench/screenshots.py``; pytest collects this file only when named, as its
name does not start with ``test_``. Writes PNGs into $SCREENSHOTS_DIR (docs/screenshots).
"""

import io
import os
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from bulletins.models import Issue, Tag

from .support import BROWSER_TEST, DESKTOP, PHONE, ROOT, log_in, open_page

pytestmark = BROWSER_TEST

OUT = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "docs" / "screenshots")
# One device pixel per CSS pixel on the desktop keeps the files small; two on the phone, as
# phones show it (CJK strokes at 1x are not what a phone's reader sees).
DEVICES = {"desktop": {**DESKTOP, "device_scale_factor": 1}, "phone": PHONE}
# The admin form is taller than a screen: its fields and the first article inline.
ADMIN_CLIP = {"desktop": {"x": 0, "y": 0, "width": 1280, "height": 1500}}


def pages():
    latest = Issue.objects.published().filter(series__slug="weekly").first()
    tag = Tag.objects.get(name="医保")
    articles = (
        f"{reverse('bulletins:article-list')}"
        f"?series=weekly&tag={tag.slug}&year={latest.publication_date.year}"
    )
    return {
        "home": reverse("bulletins:home"),
        "issue": latest.get_absolute_url(),
        "articles": articles,
        "admin-issue": reverse("admin:bulletins_issue_change", args=[latest.pk]),
    }


def test_screenshots(browser, live_server, django_user_model):
    call_command("demo_data", stdout=io.StringIO())
    editor = django_user_model.objects.get(username="editor")
    OUT.mkdir(parents=True, exist_ok=True)
    urls = pages()
    for device, options in DEVICES.items():
        with open_page(browser, live_server, options) as page:
            for name, url in urls.items():
                if name.startswith("admin"):
                    log_in(page, editor, live_server.url)
                page.goto(url)
                clip = ADMIN_CLIP.get(device) if name.startswith("admin") else None
                page.screenshot(path=OUT / f"{name}-{device}.png", full_page=bool(clip), clip=clip)
    # Dark mode follows the system: one page to show it.
    with open_page(browser, live_server, PHONE, color_scheme="dark") as page:
        page.goto(urls["issue"])
        page.screenshot(path=OUT / "issue-phone-dark.png")
