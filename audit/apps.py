from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail: reads every app's history and access logs; nothing depends on it."""

    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from audit import services

        user_logged_in.connect(services.record_sign_in, dispatch_uid="audit.record_sign_in")
        user_login_failed.connect(services.record_failed_sign_in, dispatch_uid="audit.record_failed_sign_in")
