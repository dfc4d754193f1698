from django.urls import include, path

from councils.api.urls import api
from councils.web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("", include("councils.web.urls")),
]
