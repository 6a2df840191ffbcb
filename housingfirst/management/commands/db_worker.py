from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from housingfirst.tasks import requeue_stale_tasks


class Command(DatabaseWorkerCommand):
    """django-tasks-db's worker, taking every queue by default, which first puts back the tasks a killed
    worker left running."""

    help = (
        DatabaseWorkerCommand.help
        + ". Takes every queue unless told; tasks a lost worker left running go back first."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # The project's queues (default, documents) are one pool of work; a worker takes all of them.
        parser.set_defaults(queue_name="*")

    def handle(self, *args, **options):
        requeue_stale_tasks()
        return super().handle(*args, **options)
