from django.urls import include, path, re_path

from councils.api.problems import unknown_endpoint
from councils.api.urls import api
from councils.web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/", unknown_endpoint),
    path("", include("councils.web.urls")),
]
