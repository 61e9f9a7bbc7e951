from django.apps import AppConfig


class TechniquesConfig(AppConfig):
    name = "techniques"
    verbose_name = "Techniques"
