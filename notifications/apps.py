from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def pdf_font_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """notifications.E001: PDF_CJK_FONT_FILE names a font the PDFs cannot use, found at start-up
    rather than when the first Chinese PDF is asked for."""
    from notifications import pdf

    try:
        pdf.chinese_font()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="Name a TrueType font with Chinese (.ttf, or .ttc#index), or "
                             "leave PDF_CJK_FONT_FILE empty for the unembedded STSong-Light.",
                             id="notifications.E001")]
    return []


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Connects anymail's tracking-signal receiver in every process (web and worker alike),
        # not only in those that happen to load the URLconf.
        from notifications import webhooks  # noqa: F401

        checks.register(pdf_font_check)
