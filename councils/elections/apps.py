from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "councils.elections"
    label = "elections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from councils.elections.queries import access_election
        from councils.live.guards import guard_channels

        guard_channels(
            prefix="election-", access=lambda viewer, key: access_election(viewer=viewer, election_uuid=key)
        )
