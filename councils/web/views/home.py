from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from councils.federation import queries


def home(request: HttpRequest) -> HttpResponse:
    """My councils for members; the public councils for everyone else."""
    context = {}
    if request.user.is_authenticated:
        context["my_councils"] = queries.list_participant_councils(user=request.user)
    else:
        context["public_councils"] = queries.list_visible_councils(viewer=None).filter(parent__isnull=True)
    return render(request, "web/home.html", context)


urlpatterns = [path("", home, name="home")]
