from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "councils.petitions"
    label = "petitions"
    default_auto_field = "django.db.models.BigAutoField"
