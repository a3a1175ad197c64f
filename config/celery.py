"""The Celery application: ``celery -A config worker`` and ``celery -A config beat``."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django import db

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
