from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "councils.record"
    label = "record"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from councils.record import guard, privileges

        connection_created.connect(guard.register, dispatch_uid="councils.record.guard")
        post_migrate.connect(privileges.after_migrate, sender=self, dispatch_uid="councils.record.privileges")
