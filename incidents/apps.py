from django.apps import AppConfig
from django.core import checks

from incidents.checks import rule_files_check


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from incidents.access import connect_receivers  # the auth models are ready only now

        connect_receivers()
        checks.register(rule_files_check)
