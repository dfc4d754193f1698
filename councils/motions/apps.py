from django.apps import AppConfig


class MotionsConfig(AppConfig):
    name = "councils.motions"
    label = "motions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from councils.live.asgi import register_guard
        from councils.motions.live import PREFIX, may_follow_vote

        register_guard(PREFIX, may_follow_vote)
