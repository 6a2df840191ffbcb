from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HousingFirstConfig(AppConfig):
    name = "housingfirst"
    verbose_name = _("Organisation")

    def ready(self):
        from django.contrib.auth.signals import user_logged_out
        from django.utils.module_loading import autodiscover_modules

        from housingfirst import twofactor  # noqa: F401 - connects its login receiver
        from housingfirst.roles import sync_role_groups

        # Runs after every app's migrations, once their permissions exist.
        post_migrate.connect(sync_role_groups, dispatch_uid="housingfirst.sync_role_groups")
        user_logged_out.connect(_say_logged_out, dispatch_uid="housingfirst.say_logged_out")
        # Each app's kinds of files made on the task queue (`<app>/exports.py`), like admin.py.
        autodiscover_modules("exports")
        # What each app holds on a citizen, for the access export and erasure (`<app>/personal_data.py`).
        autodiscover_modules("personal_data")


def _say_logged_out(sender, request, user, **kwargs):
    from django.contrib import messages

    # The session is flushed by now; the message survives in the message cookie/session of the next page.
    messages.info(request, _("You are logged out."))
