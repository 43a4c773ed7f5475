"""The API's errors: JSON with one friendly sentence and a code, the same shape for every
status, documented on every operation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from bot.domain import errors
from bot.web.api.models import ApiErrorBody

PREFIX = "/api/v1"


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": message, "code": code}).encode()


def response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> Any:
    return JSONResponse({"error": message, "code": code}, status, headers=headers)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses (and those every operation may answer)."""
    descriptions = {
        400: "The request is malformed.",
        401: "No token, or one that is malformed, unknown, revoked or expired.",
        403: "The token's scope does not allow this.",
        404: "No such thing in this workspace.",
        409: "It conflicts with what is there (decided already, a name taken).",
        413: "The body is too large.",
        415: "The body is not JSON.",
        422: "A parameter or the body is not valid; the sentence says which and why.",
        429: "Past the token's rate limit: try again after `Retry-After` seconds.",
        503: "The database did not answer; try again shortly.",
    }
    wanted = sorted({401, 413, 415, 422, 429, 503, *statuses})
    out: dict[int | str, dict[str, Any]] = {
        status: {"model": ApiErrorBody, "description": descriptions[status]} for status in wanted
    }
    out[429]["headers"] = {
        "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
    }
    return out


STATUS_OF: dict[type[errors.KudosError], tuple[int, str]] = {
    errors.AdminOnly: (403, "forbidden"),
    errors.TokenRefused: (401, "unauthorized"),
    errors.UnknownItem: (404, "not_found"),
    errors.UnknownRedemption: (404, "not_found"),
    errors.UnknownMember: (404, "not_found"),
    errors.UnknownWorkspace: (404, "not_found"),
    errors.UnknownWebhook: (404, "not_found"),
    errors.UnknownToken: (404, "not_found"),
    errors.AlreadyDecided: (409, "conflict"),
    errors.DuplicateItem: (409, "conflict"),
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(PREFIX + "/")


async def on_api_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, ApiError)
    return response(exc.status, exc.code, exc.message, exc.headers)


async def on_refusal(request: Request, exc: Exception) -> Any:
    """A service's refusal: its own sentence, with the status that fits it."""
    assert isinstance(exc, errors.KudosError)
    status, code = STATUS_OF.get(type(exc), (422, exc.code))
    return response(status, code, exc.message)


def _sentence(problem: dict[str, Any]) -> str:
    where = [str(part) for part in problem.get("loc", ()) if not isinstance(part, int)]
    name = where[-1] if len(where) > 1 else "The body"
    kind = problem.get("type", "")
    if kind == "json_invalid":
        cause = (problem.get("ctx") or {}).get("error", "")
        return f"The body isn't valid JSON ({cause}); send a JSON object.".replace(" ()", "")
    if kind == "missing":
        return f"{name} is required."
    if kind == "extra_forbidden":
        return f"{name} isn't something I know here; see /api/v1/openapi.json."
    message = str(problem.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{name} is not valid: {message[:1].lower()}{message[1:]}.".replace("..", ".")


async def on_invalid(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, RequestValidationError)
    if not _is_api(request):
        from fastapi.exception_handlers import request_validation_exception_handler

        return await request_validation_exception_handler(request, exc)
    problems = list(exc.errors())
    return response(422, "invalid_request", _sentence(problems[0]) if problems else "Invalid.")


async def on_http(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, HTTPException)
    if not _is_api(request):
        from fastapi.exception_handlers import http_exception_handler

        return await http_exception_handler(request, exc)
    if exc.status_code == 404:
        return response(
            404, "not_found", "There is no such API endpoint: /api/v1/openapi.json lists them."
        )
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return response(
            405,
            "method_not_allowed",
            f"That method isn't allowed here; this path takes {allowed or 'others'}.",
            exc.headers,
        )
    if exc.status_code == 400:  # a body FastAPI could not parse
        return response(422, "invalid_request", "The body could not be read: send a JSON object.")
    return response(exc.status_code, "error", str(exc.detail).rstrip(".") + ".", exc.headers)
