from django.apps import AppConfig


class SmrsiteConfig(AppConfig):
    """The project itself: connects the cache versions to every app's models."""

    name = "smrsite"
    verbose_name = "SMR Coach"

    def ready(self) -> None:
        from smrsite import versions

        versions.connect()
