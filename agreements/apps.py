from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from agreements.panels import citizen_panel, dashboard_panel, intervention_panel
        from housingfirst import panels

        panels.citizen_page.register(citizen_panel, order=30)
        panels.dashboard.register(dashboard_panel, order=30)
        panels.intervention_page.register(intervention_panel, order=30)
