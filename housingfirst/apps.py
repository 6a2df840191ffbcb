from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HousingFirstConfig(AppConfig):
    name = "housingfirst"
    verbose_name = _("Organisation")

    def ready(self):
        from housingfirst.roles import sync_role_groups

        # Runs after every app's migrations, once their permissions exist.
        post_migrate.connect(sync_role_groups, dispatch_uid="housingfirst.sync_role_groups")
