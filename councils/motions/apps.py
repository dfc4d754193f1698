from django.apps import AppConfig


class MotionsConfig(AppConfig):
    name = "councils.motions"
    label = "motions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from councils.live.guards import guard_channels
        from councils.motions.queries import access_vote

        # A vote's stream carries counts only (a named vote's tally, a secret vote's turnout), never names.
        guard_channels(prefix="vote-", access=lambda viewer, key: access_vote(viewer=viewer, vote_uuid=key))
