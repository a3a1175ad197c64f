"""Periodic work of the cockpit; beat runs it, any number of workers may run it at once."""

from celery import shared_task
from django.utils import timezone

from cockpit.reminders import reminders_send_due


@shared_task(name="cockpit.send_reminders", time_limit=120, soft_time_limit=100)
def send_reminders() -> int:
    return reminders_send_due(now=timezone.now())
