"""Signals other apps listen to, so interventions never imports them (dependencies flow one way)."""

from django.dispatch import Signal

# Sent inside assign_worker's transaction when a course gets a new worker: intervention, worker, by.
worker_assigned = Signal()
