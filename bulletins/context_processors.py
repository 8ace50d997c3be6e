from django.conf import settings

from .models import Series


def site(request):
    """Site name, footer fields and the series for the navigation, on every page."""
    return {
        "site_name": settings.SITE_NAME,
        "site_icp_record": settings.SITE_ICP_RECORD,
        "nav_series": Series.objects.all(),
        "search_query": request.GET.get("q", ""),
    }
