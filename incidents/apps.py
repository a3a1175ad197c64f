from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from incidents.access import connect_receivers  # the auth models are ready only now

        connect_receivers()
