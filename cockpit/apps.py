from django.apps import AppConfig


class CockpitConfig(AppConfig):
    """The deadline cockpit: the dashboard, reminders before every deadline, calendar feeds."""

    name = "cockpit"
    verbose_name = "Deadline cockpit"
