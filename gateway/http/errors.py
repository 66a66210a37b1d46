"""Error responses that never echo what was sent (children's data): field paths and error types only.

FastAPI's default 422 body repeats the submitted values; these handlers replace it. The gateway's own
exceptions map to fixed status codes with messages that name rules and places, never values:

=====================================  ======  =====================================================
exception                              status  body
=====================================  ======  =====================================================
``RequestValidationError``             422     ``problems``: field path and error type per problem
``InvalidCredentials``                 401     constant text; the reason goes to the log, not the caller
``Forbidden`` / ``AccessDenied``       403     the rule broken (``SubmissionRefused``: records located)
``MessageIdTaken``                     409
``TooManyRecords``                     413
``UnreadableFormat``                   415     the format issue (rule id and message)
``ReadTimeout``                        422
``StorageError``                       503     constant text, ``Retry-After``
anything else (``ErrorShield``)        500     constant text; logged by type only (no message, no trace)
=====================================  ======  =====================================================
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.access import AccessDenied
from gateway.errors import StorageError
from gateway.http.reading import ReadTimeout, TooManyRecords
from gateway.http.submissions import MessageIdTaken, SubmissionRefused, UnreadableFormat
from gateway.security import Forbidden, InvalidCredentials

__all__ = ["AUTHENTICATE", "ErrorShield", "install_error_handlers"]

log = logging.getLogger(__name__)

AUTHENTICATE = 'Bearer realm="ecm-gateway", ApiKey realm="ecm-gateway"'
"""The ``WWW-Authenticate`` challenge of every 401."""


def _validation_problems(exc: RequestValidationError) -> list[dict[str, str]]:
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        if error.get("type") == "extra_forbidden" and loc:
            loc[-1] = "*"  # the unknown key is the sender's text: do not repeat it
        field = ".".join(loc)
        problems.append({"field": field, "type": str(error.get("type", "invalid"))})
    return problems[:20]


def _json(code: int, content: dict[str, object], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=code, content=content, headers=headers)


async def _invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this type only
    return _json(422, {"error": "invalid request", "problems": _validation_problems(exc)})


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for this type only
    detail = exc.detail if isinstance(exc.detail, str) else "error"
    return _json(exc.status_code, {"error": detail}, exc.headers)


async def _denied(_request: Request, _exc: Exception) -> JSONResponse:
    return _json(status.HTTP_403_FORBIDDEN, {"error": "forbidden"})


async def _unauthenticated(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidCredentials)  # noqa: S101
    log.info("authentication refused", extra={"reason": exc.reason})
    return _json(401, {"error": "authentication required"}, {"WWW-Authenticate": AUTHENTICATE})


async def _forbidden(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, SubmissionRefused):
        return _json(403, {"error": str(exc), "records": [record.as_dict() for record in exc.records[:100]]})
    return _json(403, {"error": str(exc)})


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    return _json(409, {"error": str(exc)})


async def _too_many(_request: Request, exc: Exception) -> JSONResponse:
    return _json(413, {"error": str(exc)})


async def _unreadable(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnreadableFormat)  # noqa: S101
    issue = exc.issue
    return _json(415, {"error": issue.message, "rule": issue.rule})


async def _timeout(_request: Request, exc: Exception) -> JSONResponse:
    return _json(422, {"error": str(exc)})


async def _unavailable(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("storage unavailable", extra={"error": type(exc).__name__})
    return _json(503, {"error": "the gateway cannot store this now; retry later"}, {"Retry-After": "30"})


_INTERNAL: Final = b'{"error":"internal error"}'


class ErrorShield:
    """ASGI middleware answering any unhandled exception with a bare 500 and *not* re-raising it.

    Starlette's outermost error middleware re-raises after answering, and the server then logs the
    traceback — whose text may carry submitted values. Here the exception stops: it is logged by type only.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # the last line of defence; never re-raised
            log.error("unexpected error", extra={"error": type(exc).__name__, "path": scope.get("path", "")})
            if not started:
                headers = [(b"content-type", b"application/json"), (b"content-length", str(len(_INTERNAL)).encode())]
                await send({"type": "http.response.start", "status": 500, "headers": headers})
                await send({"type": "http.response.body", "body": _INTERNAL})


def install_error_handlers(app: FastAPI) -> None:
    """Install the no-echo handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(AccessDenied, _denied)
    app.add_exception_handler(InvalidCredentials, _unauthenticated)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(MessageIdTaken, _conflict)
    app.add_exception_handler(TooManyRecords, _too_many)
    app.add_exception_handler(UnreadableFormat, _unreadable)
    app.add_exception_handler(ReadTimeout, _timeout)
    app.add_exception_handler(StorageError, _unavailable)
