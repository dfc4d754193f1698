from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "councils.demo"
    label = "demo"
