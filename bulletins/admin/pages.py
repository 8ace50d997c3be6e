"""The frame of the pages this package adds to Django's admin, and the action confirmation page.

Each page names its template and what it shows; ``admin_page`` adds what every admin page
needs around that (the site's header and sidebar, the model for the breadcrumbs, the title).
"""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse


def admin_page(model_admin, request, template, title, **shown):
    """``template`` drawn inside the admin, under ``model_admin``'s model, showing ``shown``."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        **shown,
    }
    return TemplateResponse(request, template, context)


def action_page(model_admin, request, queryset, *, action, title, explanation, form, submit_label):
    """The page a list action shows before it runs: the selected objects (posted back as
    hidden ids, so the action applies to the same ones), its form, and the button that
    submits them with ``apply``."""
    return admin_page(
        model_admin,
        request,
        "admin/bulletins/action_form.html",
        title,
        explanation=explanation,
        form=form,
        objects=queryset,
        action=action,
        submit_label=submit_label,
        action_checkbox_name=ACTION_CHECKBOX_NAME,
    )
