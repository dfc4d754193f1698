from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "councils.meetings"
    label = "meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from councils.live.guards import guard_channels
        from councils.meetings.queries import access_meeting

        guard_channels(
            prefix="meeting-", access=lambda viewer, key: access_meeting(viewer=viewer, meeting_uuid=key)
        )
