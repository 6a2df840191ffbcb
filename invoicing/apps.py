from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self):
        from housingfirst import panels
        from invoicing import signals, tasks  # noqa: F401 - tasks names its task on the task page
        from invoicing.panels import dashboard_panel

        panels.dashboard.register(dashboard_panel, order=40)
        signals.connect()
