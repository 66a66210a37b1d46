"""Health and metrics: ``/health/live`` (the process answers), ``/health/ready`` (database answers and is
migrated; transport, topology and outbox lag reported as *degraded*), and Prometheus ``/metrics``.

None of these needs credentials and none returns personal data or URLs; expose them only to the load
balancer and the monitoring network (see docs).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from gateway.http.dependencies import service
from gateway.http.openapi import errors

__all__ = ["Live", "ReadinessBody", "router"]

router = APIRouter(tags=["health"])


class Live(BaseModel):
    status: str


class Check(BaseModel):
    name: str
    ok: bool
    detail: str


class ReadinessBody(BaseModel):
    ready: bool
    degraded: bool
    checks: list[Check]


@router.get("/health/live", response_model=Live, responses=errors())
def live() -> Live:
    """The process answers."""
    return Live(status="live")


@router.get(
    "/health/ready",
    response_model=ReadinessBody,
    responses={503: {"model": ReadinessBody, "description": "Not ready: the database fails"}, **errors()},
)
async def ready(request: Request) -> JSONResponse:
    """Ready when the database answers and is migrated; a down broker only makes it *degraded*."""
    check = service(request, "readiness")
    result = await run_in_threadpool(check)
    body: dict[str, Any] = result.as_dict()
    return JSONResponse(status_code=200 if result.ready else 503, content=body)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"description": "Prometheus text format", "content": {"text/plain": {}}}, **errors(503)},
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: HTTP requests and submissions, outbox lag, open dead letters."""
    exposition = service(request, "metrics_exposition")
    data = await run_in_threadpool(exposition)
    return Response(content=data, media_type="text/plain; version=0.0.4; charset=utf-8")
