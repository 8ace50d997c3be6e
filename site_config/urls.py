from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from bulletins.serving.health import healthz

admin.site.site_header = "卫生信息化舆情监测简报库 · 编辑后台"
admin.site.site_title = "简报库编辑后台"
admin.site.index_title = "内容管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("bulletins.urls")),
]

# An outage noticed outside a view (e.g. reading a session) still gets the friendly 503.
handler500 = "bulletins.serving.outage.server_error"

if settings.DEBUG:
    from django.views import defaults

    urlpatterns += [path("404/", defaults.page_not_found, {"exception": Exception()})]
