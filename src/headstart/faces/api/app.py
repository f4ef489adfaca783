"""The REST API under /api/v1, documented at /api/v1/openapi.json."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.throttling import AuthRateThrottle

from headstart.apps.accounts.tokens import TooManyRefusals
from headstart.errors import HeadstartError
from headstart.faces.api.auth import ActiveSession, BearerToken
from headstart.faces.api.errors import detail_for
from headstart.faces.api.openapi import declare_framework_errors
from headstart.faces.api.routes import advisories, audit, delivery, investigations, me, partners
from headstart.faces.api.routes.csaf import router as csaf_router
from headstart.faces.api.routes.questions import router as questions_router
from headstart.faces.api.routes.readiness import router as readiness_router
from headstart.faces.api.routes.rules import router as rules_router
from headstart.faces.api.routes.stix import router as stix_router
from headstart.faces.busy import busy_response, is_database_busy

logger = logging.getLogger("django.request")

# Requests per minute per caller.
THROTTLE_RATE = "600/m"



class HeadstartAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_framework_errors(schema)
        return schema


api = HeadstartAPI(
    title="Headstart API",
    version="1",
    description="Pre-disclosure program API. Scripts send `Authorization: Bearer TOKEN`; "
                "browsers use their session and must send the CSRF token.",
    urls_namespace="api-v1",
    auth=[BearerToken(), ActiveSession()],
    throttle=[AuthRateThrottle(THROTTLE_RATE)],
    docs_url="/docs",
)
api.add_router("", me.router)
api.add_router("", partners.router)
api.add_router("", advisories.router)
api.add_router("", audit.router)
api.add_router("", delivery.router)
api.add_router("", investigations.router)
api.add_router("", csaf_router)
api.add_router("", rules_router)
api.add_router("", stix_router)
api.add_router("", readiness_router)
api.add_router("", questions_router)


@api.exception_handler(HeadstartError)
def service_error(request: HttpRequest, exc: HeadstartError) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=exc.status)
    if isinstance(exc, TooManyRefusals):  # raised by the bearer auth: too many refused tokens
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": "request body too large"}, status=413)


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def too_many_parts(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "too many form fields or files"}, status=400)


@api.exception_handler(OperationalError)
def database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """A lock held by another write for longer than the wait: 503 with Retry-After."""
    if is_database_busy(exc):
        logger.warning("Service Unavailable (database busy): %s", request.path, extra={"status_code": 503})
        return busy_response(request)
    return unforeseen_error(request, exc)


@api.exception_handler(Exception)
def unforeseen_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: logged with its traceback for the operators; the caller learns nothing of it."""
    logger.error("Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500})
    return api.create_response(request, {"detail": detail_for(500)}, status=500)
