"""axe-core on every public page type and the editors' main admin pages: no serious or
critical violations, in the light and the dark colour scheme."""

from urllib.parse import unquote

from django.urls import reverse
from playwright.sync_api import expect

from .support import (
    BROWSER_TEST,
    PUBLIC_PAGES,
    admin_pages,
    describe_violations,
    log_in,
    serious_violations,
)

pytestmark = BROWSER_TEST


def violations_on(page, url) -> str:
    """axe's serious and critical violations on the page at ``url``, light and dark, as text
    ("" when there are none)."""
    page.emulate_media(color_scheme="light")
    page.goto(url)
    # Checked where it was asked for: not a login form that a lost session led to.
    assert unquote(page.url).endswith(unquote(url)), f"{url} led to {page.url}"
    report = describe_violations(serious_violations(page))
    # Loaded afresh in the dark scheme: colours that change with a transition (Django's
    # admin links) would otherwise be measured halfway.
    page.emulate_media(color_scheme="dark")
    page.reload()
    dark = serious_violations(page, only_rules=["color-contrast"])
    if dark:
        report += "\nin the dark colour scheme:\n" + describe_violations(dark)
    return report.strip()


def assert_accessible(page, urls: dict):
    """One browser visit per page type; every page's violations reported together."""
    reports = {name: violations_on(page, url) for name, url in urls.items()}
    failing = {name: report for name, report in reports.items() if report}
    assert not failing, "\n\n".join(
        f"{name} ({urls[name]}):\n{report}" for name, report in failing.items()
    )


def test_every_public_page_type_passes_axe(axe_page, archive):
    """Each public page type has no serious or critical axe-core violation, in the light
    and (for colour contrast) the dark scheme."""
    assert_accessible(axe_page, {name: url_of(archive) for name, url_of in PUBLIC_PAGES.items()})


def test_the_main_admin_pages_pass_axe(axe_page, archive, reviewer, editor, live_server):
    """The admin's login page, issue list, issue forms (with select2 autocomplete in the
    article inlines), an issue's history (versions, comparison, restore) and the import's
    upload and review pages have no serious or critical axe-core violation; nor has a
    published issue's form as an editor gets it (status, series and number read-only)."""
    assert_accessible(axe_page, {"login": reverse("admin:login")})
    log_in(axe_page, reviewer, live_server.url)
    assert_accessible(axe_page, admin_pages(archive, reviewer))
    log_in(axe_page, editor, live_server.url)
    published = reverse("admin:bulletins_issue_change", args=[archive.latest.pk])
    assert_accessible(axe_page, {"published issue's form, as an editor": published})
    expect(axe_page.locator(".field-status .readonly").first).to_have_text("已发布")
