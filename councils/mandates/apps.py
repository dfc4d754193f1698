from django.apps import AppConfig


class MandatesConfig(AppConfig):
    name = "councils.mandates"
    label = "mandates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from councils.mandates import actions
        from councils.motions import outcomes

        outcomes.register("recall", actions.on_recall_decided)
        outcomes.register("ordinary", actions.on_ordinary_decided)
