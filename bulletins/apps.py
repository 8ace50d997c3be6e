from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bulletins"
    verbose_name = _("舆情监测简报")

    def ready(self):
        from .caching import version
        from .editorial import history
        from .search import index

        version.connect_signals()
        index.connect_signals()
        history.register()
