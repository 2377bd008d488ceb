"""Refusals as RFC 9457 problem details (application/problem+json), with the rule id."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from coldcheck.domain.errors import Refusal

STATUS = {
    "sign-in-needed": 401,
    "code-needed": 401,
    "wrong-code": 401,
    "sign-in-expired": 401,
    "enrolment-needed": 403,
    "password-change-needed": 403,
    "invalid-input": 422,
    "not-found": 404,
    "not-authorised": 403,
    "refused": 409,
    "conflict": 409,
}
PROBLEM = "application/problem+json"


def problem(status: int, kind: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://coldcheck.dev/problems/{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def from_refusal(refusal: Refusal, status: int | None = None) -> JSONResponse:
    """One refusal: the sentence shown to people, what to do instead, and the rule id."""
    return problem(
        status or STATUS.get(refusal.kind, 409),
        refusal.kind,
        refusal.kind.replace("-", " ").capitalize(),
        refusal.message,
        rule=refusal.rule,
        remedy=refusal.remedy,
    )


def from_validation(exc: RequestValidationError) -> JSONResponse:
    """A request the API document rules out (a missing body, a query out of range, a header
    too long): 422 invalid-input like every other malformed value, each error located."""
    errors = [
        {"where": ".".join(str(part) for part in error.get("loc", ())), "problem": error["msg"]}
        for error in exc.errors()
    ]
    first = errors[0] if errors else {"where": "request", "problem": "not understood"}
    return problem(
        422,
        "invalid-input",
        "Invalid input",
        f"{first['where']}: {first['problem']}.",
        rule=None,
        remedy="Fix the request; the API document is at /openapi.json.",
        errors=errors,
    )


async def validation_handler(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, RequestValidationError):
        return from_validation(exc)
    return problem(422, "invalid-input", "Invalid input", "The request is not understood.")


async def refusal_handler(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, Refusal):
        return from_refusal(exc)
    return problem(500, "internal", "Internal error", "Something went wrong; it is a bug.")


async def store_handler(request: Request, exc: Exception) -> JSONResponse:
    return problem(503, "store-unavailable", "Store unavailable", str(exc))
