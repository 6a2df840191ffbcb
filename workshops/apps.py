from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Workshops and work bonus")

    def ready(self):
        from housingfirst import panels
        from workshops import exports  # noqa: F401 - declares the statement and payroll files
        from workshops.panels import citizen_panel, dashboard_panel

        panels.citizen_page.register(citizen_panel, order=30)
        panels.dashboard.register(dashboard_panel, order=50)
