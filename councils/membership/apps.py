from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "councils.membership"
    label = "membership"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from councils.live.guards import guard_channels
        from councils.membership.actions import (
            apply_admission_outcome,
            apply_discipline_outcome,
            apply_formation_outcome,
        )
        from councils.membership.queries import access_case
        from councils.motions import outcomes

        outcomes.register("admission", apply_admission_outcome)
        outcomes.register("discipline", apply_discipline_outcome)
        outcomes.register("formation", apply_formation_outcome)
        guard_channels(prefix="case-", access=lambda viewer, key: access_case(viewer=viewer, case_uuid=key))
