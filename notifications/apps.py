from django.apps import AppConfig
from django.core import checks


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Imported here, not at the top: Django loads this module before the model registry
        # is ready, and both modules import models.
        # webhooks connects anymail's tracking-signal receiver in every process (web and
        # worker alike), not only in those that happen to load the URLconf.
        from notifications.delivery import webhooks  # noqa: F401
        from notifications.notices import pdf

        checks.register(pdf.font_check)
