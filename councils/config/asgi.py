"""ASGI entry point: Django for pages and the API, a lean endpoint for live streams."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.config.settings")

from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from councils.live.asgi import live_router  # noqa: E402

application = live_router(django_application)
