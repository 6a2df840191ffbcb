"""Every save and delete of a visit moves its course's month sum (VisitMonthSum) the month page reads.

Receivers, not calls in the visit services, so a visit written any other way (a test's factory, a
script) keeps the sums right too; in the app they run inside the visit service's transaction, after
its paying municipality's row lock. Bulk writes and queryset updates send no signal: rebuild the sums
after them (`services.rebuild_visit_month_sums`)."""

from django.db.models.signals import post_delete, post_save, pre_save


def _billed(visit):
    return (visit.intervention_id, visit.date, visit.duration_minutes) if visit.billable else None


def _before_save(sender, instance, raw=False, **kwargs):
    from interventions.models import Visit

    instance._billed_before = None
    if not instance._state.adding and instance.pk is not None:
        stored = (
            Visit.objects.filter(pk=instance.pk, billable=True)
            .values_list("intervention_id", "date", "duration_minutes")
            .first()
        )
        instance._billed_before = stored


def _after_save(sender, instance, created, raw=False, **kwargs):
    from invoicing.services import count_visit

    before, after = getattr(instance, "_billed_before", None), _billed(instance)
    if before == after:
        return  # a note or a start time changed: nothing billed moved
    if before is not None:
        count_visit(intervention_id=before[0], date=before[1], minutes=before[2], sign=-1)
    if after is not None:
        count_visit(intervention_id=after[0], date=after[1], minutes=after[2], sign=1)


def _after_delete(sender, instance, **kwargs):
    from invoicing.services import count_visit

    if (billed := _billed(instance)) is not None:
        count_visit(intervention_id=billed[0], date=billed[1], minutes=billed[2], sign=-1)


def connect():
    from interventions.models import Visit

    pre_save.connect(_before_save, sender=Visit, dispatch_uid="invoicing_visit_sum_before")
    post_save.connect(_after_save, sender=Visit, dispatch_uid="invoicing_visit_sum_after")
    post_delete.connect(_after_delete, sender=Visit, dispatch_uid="invoicing_visit_sum_delete")
