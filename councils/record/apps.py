from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "councils.record"
    label = "record"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from councils.record import guard

        connection_created.connect(guard.register, dispatch_uid="councils.record.guard")
