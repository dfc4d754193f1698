from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from councils import __version__
from councils.ops.queries import record_health


@csrf_exempt  # it changes nothing: a monitor's wrong method gets 405 and Allow, not a CSRF refusal
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachability and the record's state, for load balancers and monitors; a few cheap queries.

    GET or HEAD: a probe that asks for the headers only (`curl -I`, many load balancers) gets the same
    status code.

    503 only when the database cannot be reached (take the process out of
    rotation). A record whose checkpoint lags is "degraded" with 200: the
    process still serves, but someone should look at the sequencer.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        record = record_health(now=timezone.now())
    except Exception:  # a monitor needs an answer, not a traceback
        return JsonResponse(
            {"status": "unavailable", "database": "unavailable", "version": __version__}, status=503
        )
    status = "ok" if record["checkpoint_recent"] else "degraded"
    return JsonResponse({"status": status, "database": "ok", "record": record, "version": __version__})
