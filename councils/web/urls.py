from django.urls import include, path

app_name = "web"

urlpatterns = [
    path("", include("councils.web.views.home")),
    path("", include("councils.web.views.accounts")),
    path("councils/", include("councils.web.views.councils")),
    path("motions/", include("councils.web.views.motions")),
    path("elections/", include("councils.web.views.elections")),
    path("meetings/", include("councils.web.views.meetings")),
    path("mandates/", include("councils.web.views.mandates")),
    path("membership/", include("councils.web.views.membership")),
    path("constitution/", include("councils.web.views.constitution")),
    path("platforms/", include("councils.web.views.platforms")),
    path("petitions/", include("councils.web.views.petitions")),
    path("record/", include("councils.web.views.record")),
]
