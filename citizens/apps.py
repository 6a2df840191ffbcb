from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "citizens"
    verbose_name = _("Citizens")

    def ready(self):
        from citizens import access_export  # noqa: F401 - registers the access export's maker
        from citizens.panels import dashboard_panel
        from citizens.signals import log_export_download
        from housingfirst import exports, panels

        panels.dashboard.register(dashboard_panel, order=10)
        exports.export_downloaded.connect(log_export_download, dispatch_uid="citizens.log_export_download")
