from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Connects anymail's tracking-signal receiver in every process (web and worker alike),
        # not only in those that happen to load the URLconf.
        from notifications import webhooks  # noqa: F401
