"""axe-core on every public page type and the editors' main admin pages: no serious or
critical violations, in the light and the dark colour scheme."""

from django.urls import reverse

from .support import (
    BROWSER_TEST,
    PUBLIC_PAGES,
    describe_violations,
    log_in,
    serious_violations,
)

pytestmark = BROWSER_TEST


ADMIN_PAGES = {
    "issue change list": lambda archive: reverse("admin:bulletins_issue_changelist"),
    "issue add form": lambda archive: reverse("admin:bulletins_issue_add"),
    "issue change form": lambda archive: reverse(
        "admin:bulletins_issue_change", args=[archive.latest.pk]
    ),
}


def violations_on(page, url) -> str:
    """axe's serious and critical violations on the page at ``url``, light and dark, as text
    ("" when there are none)."""
    page.emulate_media(color_scheme="light")
    page.goto(url)
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


def test_the_main_admin_pages_pass_axe(axe_page, archive, editor, live_server):
    """The admin's login page, issue list and issue forms (with select2 autocomplete in the
    article inlines) have no serious or critical axe-core violation."""
    assert_accessible(axe_page, {"login": reverse("admin:login")})
    log_in(axe_page, editor, live_server.url)
    assert_accessible(axe_page, {name: url_of(archive) for name, url_of in ADMIN_PAGES.items()})
