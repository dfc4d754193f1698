from django.apps import AppConfig


class ConstitutionConfig(AppConfig):
    name = "councils.constitution"
    label = "constitution"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from councils.constitution.actions import apply_amendment_outcome
        from councils.constitution.queries import visible_federation
        from councils.live.guards import guard_channels
        from councils.motions import outcomes

        outcomes.register("constitution", apply_amendment_outcome)
        # The federation's channel (constitution and platforms changed) follows who may read its constitution.
        guard_channels(
            prefix="federation-",
            access=lambda viewer, key: visible_federation(viewer=viewer, federation_uuid=key),
        )
