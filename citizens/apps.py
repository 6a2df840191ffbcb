from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "citizens"
    verbose_name = _("Citizens")

    def ready(self):
        from citizens.panels import dashboard_panel
        from housingfirst import panels

        panels.dashboard.register(dashboard_panel, order=10)
