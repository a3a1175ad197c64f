"""The Celery application: ``celery -A config worker`` and ``celery -A config beat``."""

import os
import sys

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init
from django import db
from django.core.checks import run_checks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("breachline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(sender=None, **kwargs) -> None:
    """At each task boundary, close a database connection older than ``CONN_MAX_AGE`` or left
    unusable by an error, as Django does at each request; any other is reused by the next task."""
    if not getattr(sender.request, "is_eager", False):
        db.close_old_connections()


@worker_init.connect
def refuse_to_start_on_check_errors(**kwargs) -> None:
    """Run Django's system checks as ``runserver`` and ``migrate`` do and stop when one fails (a broken
    rule file, incidents.E001; an unusable PDF font, notifications.E001). Celery's Django fix-up runs
    them too but ignores the result, so a worker would otherwise start and fail on its first task.
    Raised as SystemExit: Celery logs and swallows an Exception raised by a signal handler."""
    errors = [message for message in run_checks() if message.is_serious()]
    if errors:
        print("The worker refuses to start:", *errors, sep="\n", file=sys.stderr)
        raise SystemExit(1)
