"""Error responses that never echo what was sent (children's data): field paths and error types only.

FastAPI's default 422 body repeats the submitted values; these handlers replace it, and map the
gateway's :class:`~gateway.access.AccessDenied` to 403 with a constant message.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.access import AccessDenied

__all__ = ["install_error_handlers"]


def _validation_problems(exc: RequestValidationError) -> list[dict[str, str]]:
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        if error.get("type") == "extra_forbidden" and loc:
            loc[-1] = "*"  # the unknown key is the sender's text: do not repeat it
        field = ".".join(loc)
        problems.append({"field": field, "type": str(error.get("type", "invalid"))})
    return problems[:20]


async def _invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this type only
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"error": "invalid request", "problems": _validation_problems(exc)},
    )


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for this type only
    detail = exc.detail if isinstance(exc.detail, str) else "error"
    return JSONResponse(status_code=exc.status_code, content={"error": detail}, headers=exc.headers)


async def _denied(_request: Request, _exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_403_FORBIDDEN, content={"error": "forbidden"})


def install_error_handlers(app: FastAPI) -> None:
    """Install the no-echo handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(AccessDenied, _denied)
