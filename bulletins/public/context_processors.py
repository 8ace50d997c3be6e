import re

from django.conf import settings

from .. import facts
from . import metadata


def site(request):
    """Site name, footer fields and the series for the navigation, on every page.

    ``feeds`` (the feeds a page advertises) is empty unless the view names some. The
    header's navigation and the footer are kept per content version ({% kept %} in base.html).
    """
    return {
        "site_name": settings.SITE_NAME,
        "site_description": metadata.site_description(),
        "feeds": (),
        "site_icp_record": settings.SITE_ICP_RECORD,
        "site_psb_record": settings.SITE_PSB_RECORD,
        # The public-security record's query page wants the record's number alone.
        "site_psb_record_code": re.sub(r"\D", "", settings.SITE_PSB_RECORD),
        "nav_series": facts.series_list(),
        "search_query": request.GET.get("q", ""),
    }
