"""The API under /api/v1/: one router per resource."""

from __future__ import annotations

from ninja import Swagger

from councils import __version__
from councils.api import problems
from councils.api.auth import REQUIRED
from councils.api.methods import get_only
from councils.api.openapi import ProblemAPI
from councils.api.rendering import JsonRenderer
from councils.api.routers import (
    accounts,
    constitution,
    councils,
    elections,
    formations,
    invitations,
    mandates,
    meetings,
    membership,
    motions,
    petitions,
    platforms,
    privacy,
    record,
)

api = ProblemAPI(
    title="Councils API",
    version="1",
    description="Workers' democracy: councils, motions, votes, elections, delegates and the public record. "
    f"Server version {__version__}.",
    urls_namespace="api",
    auth=REQUIRED,
    docs_url="/docs",
    # Swagger UI would send the document's address to validator.swagger.io for a badge on any host but
    # localhost: no third party hears of a member's visit.
    docs=Swagger(settings={"validatorUrl": "none"}),
    openapi_url="/openapi.json",
    docs_decorator=get_only,
    parser=problems.JsonParser(),
    renderer=JsonRenderer(),
)
problems.install(api)
api.add_router("/auth", accounts.router)
api.add_router("/councils", councils.router)
api.add_router("/councils", formations.router)
api.add_router("/invitations", invitations.router)
api.add_router("/motions", motions.router)
api.add_router("/elections", elections.router)
api.add_router("/meetings", meetings.router)
api.add_router("/mandates", mandates.router)
api.add_router("/membership", membership.router)
api.add_router("/constitution", constitution.router)
api.add_router("/platforms", platforms.router)
api.add_router("/petitions", petitions.router)
api.add_router("/record", record.router)
api.add_router("/me", privacy.router)
