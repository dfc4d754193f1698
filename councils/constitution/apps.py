from django.apps import AppConfig


class ConstitutionConfig(AppConfig):
    name = "councils.constitution"
    label = "constitution"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from councils.constitution.actions import apply_amendment_outcome
        from councils.motions import outcomes

        outcomes.register("constitution", apply_amendment_outcome)
