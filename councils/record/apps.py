from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "councils.record"
    label = "record"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from councils.record import privileges

        post_migrate.connect(privileges.after_migrate, sender=self, dispatch_uid="councils.record.privileges")
