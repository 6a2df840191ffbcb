"""Notifications for what other apps do, received here so they never import the agenda."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from agenda.models import Notification
from agenda.services import notify, short_name
from interventions.signals import worker_assigned


@receiver(worker_assigned, dispatch_uid="agenda_notify_assigned")
def notify_assigned(sender, *, intervention, worker, by, **kwargs) -> None:
    if worker.pk == by.pk:
        return
    notify(
        recipient=worker,
        kind=Notification.Kind.ASSIGNED,
        text=_("%(by)s assigned %(citizen)s (%(method)s) to you.")
        % {"by": by, "citizen": short_name(intervention.citizen), "method": intervention.method},
        url=intervention.get_absolute_url(),
    )
