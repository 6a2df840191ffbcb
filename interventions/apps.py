from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = _("Interventions and visits")

    def ready(self):
        from housingfirst import panels
        from interventions.panels import citizen_list_rows, citizen_panel, dashboard_panel

        panels.citizen_page.register(citizen_panel, order=20)
        panels.dashboard.register(dashboard_panel, order=20)
        panels.citizen_rows.register(citizen_list_rows)

        from interventions.outcome_panels import due_panel, intervention_outcome_panel

        panels.dashboard.register(due_panel, order=25)
        panels.intervention_page.register(intervention_outcome_panel, order=60)
