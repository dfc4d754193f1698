from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "councils.record"
    label = "record"
    default_auto_field = "django.db.models.BigAutoField"
