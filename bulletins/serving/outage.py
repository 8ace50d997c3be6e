"""The database is unreachable: answer 503 with a page that needs no database.

DatabaseOutageMiddleware (middleware.py) catches the error in views and templates;
``server_error`` (handler500) catches it anywhere else (a session read in middleware,
for instance), so a reader never sees a 500 for an outage. Nothing is remembered: as
soon as the database answers again, so does the site.
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)


class ServiceUnavailable(HttpResponse):
    status_code = 503

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self["Retry-After"] = "30"
        self["Cache-Control"] = "no-store"


def is_database_outage(exception) -> bool:
    """True for errors that mean "cannot reach the database", not for bad queries."""
    return isinstance(exception, (OperationalError, InterfaceError)) or (
        isinstance(exception, DatabaseError) and "connect" in str(exception).lower()
    )


def outage_response(exception) -> ServiceUnavailable:
    logger.error("Database unavailable: %s", exception)
    return ServiceUnavailable(render_to_string("503.html"))


def server_error(request):
    """handler500: the friendly 503 when the error was an outage, else the usual 500 page."""
    exception = sys.exception()
    if is_database_outage(exception):
        return outage_response(exception)
    return defaults.server_error(request)
