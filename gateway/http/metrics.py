"""HTTP metrics (prometheus-client), on the same registry as the routing metrics the app serves.

===============================================  =======  ===============================================
metric                                           type     meaning
===============================================  =======  ===============================================
``ecm_http_requests_total{method,route,code}``   counter  requests answered (route = the path template)
``ecm_http_request_seconds{route}``              histo    time to answer
``ecm_http_submissions_resumed_total{outcome}``  counter  asynchronous submissions a stopped process left
                                                          unfinished, taken up again (by how they ended)
===============================================  =======  ===============================================

The route label is the template (``/v1/messages/{message_id}``), never the path, so no id becomes a label.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HttpMetrics", "RequestMetrics"]


class HttpMetrics:
    """The HTTP counters and histogram."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "ecm_http_requests_total", "HTTP requests answered", ["method", "route", "code"], registry=registry
        )
        self.seconds = Histogram(
            "ecm_http_request_seconds", "Time to answer an HTTP request", ["route"], registry=registry
        )
        self.resumed = Counter(
            "ecm_http_submissions_resumed_total",
            "Asynchronous submissions left unfinished by a stopped process and taken up again, by outcome",
            ["outcome"],
            registry=registry,
        )


class RequestMetrics:
    """ASGI middleware counting every answered request by method, route template and status code."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        code = 500

        async def tracked(message: Message) -> None:
            nonlocal code
            if message["type"] == "http.response.start":
                code = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        finally:
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            self.metrics.requests.labels(scope.get("method", ""), route, str(code)).inc()
            self.metrics.seconds.labels(route).observe(time.perf_counter() - started)
