from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "councils.federation"
    label = "federation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from councils.federation.queries import access_council
        from councils.live.guards import guard_channels

        guard_channels(
            prefix="council-", access=lambda viewer, key: access_council(viewer=viewer, council_uuid=key)
        )
