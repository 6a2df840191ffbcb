from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agenda"
    verbose_name = _("Agenda")

    def ready(self):
        from agenda import signals  # noqa: F401
        from agenda.panels import citizen_panel
        from housingfirst import panels

        panels.citizen_page.register(citizen_panel, order=25)
