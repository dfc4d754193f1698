from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "councils.platforms"
    label = "platforms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from councils.live.guards import guard_channels
        from councils.platforms.queries import access_platform

        # A platform's channel (its documents and slates changed) follows who may see its page.
        guard_channels(
            prefix="platform-",
            access=lambda viewer, key: access_platform(viewer=viewer, platform_uuid=key),
        )
