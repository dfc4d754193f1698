from django.apps import AppConfig


class MotionsConfig(AppConfig):
    name = "councils.motions"
    label = "motions"
    default_auto_field = "django.db.models.BigAutoField"
