from django.apps import AppConfig


class MandatesConfig(AppConfig):
    name = "councils.mandates"
    label = "mandates"
    default_auto_field = "django.db.models.BigAutoField"
