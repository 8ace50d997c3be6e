"""Site-wide middleware: the content security policy, requests no page can answer, and a
friendly answer to outages."""

from csp.middleware import CSPMiddleware
from django.core.exceptions import BadRequest

from .outage import is_database_outage, outage_response


class SiteCSPMiddleware(CSPMiddleware):
    """The strict policy everywhere; Django's admin also needs inline style attributes."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith("/admin/"):
            parts.update = {**(parts.update or {}), "style-src": ["'unsafe-inline'"]}
        return parts


class RejectNulMiddleware:
    """400 for a NUL byte anywhere in the path or query string.

    No URL of the site contains one, and PostgreSQL refuses text holding it: looked up as
    a slug or searched for, "%00" would otherwise end in a database error (a 500).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL byte in the URL")
        return self.get_response(request)


class DatabaseOutageMiddleware:
    """When the database cannot be reached, answer 503 with a page that needs no database.

    Nothing is cached here: as soon as the database answers again, so does the site.
    Errors raised outside views and templates reach handler500 (outage.server_error).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return outage_response(exception)
        return None
