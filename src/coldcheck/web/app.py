"""The web app's wiring: ``create_app(settings)`` builds the FastAPI application.

Nothing that two workers could disagree on lives in process memory: sessions, idempotency keys,
sign-in failures and the board's changes all come from the store (the ledger's own file, or
later PostgreSQL). Each worker thread gets its own ``App`` (its own database connection and
state cache), so requests never share a connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from coldcheck.app.service import App, bootstrap, utc_now
from coldcheck.app.settings import Settings
from coldcheck.app.twostep import MfaPolicy
from coldcheck.domain.errors import Refusal
from coldcheck.store.port import StoreError
from coldcheck.web import problems
from coldcheck.web.limits import BodyLimit

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(slots=True)
class Web:
    """What every request needs: the settings, the clock, and this thread's application."""

    settings: Settings
    secure_cookies: bool
    clock: Callable[[], datetime] = utc_now
    mfa: MfaPolicy = MfaPolicy.OPTIONAL  # a set node serves with REQUIRED (coldcheck serve)
    _local: threading.local = field(default_factory=threading.local)

    def app(self) -> App:
        found: App | None = getattr(self._local, "app", None)
        if found is None:
            found = bootstrap(self.settings, clock=self.clock)
            self._local.app = found
        return found


def create_app(
    settings: Settings,
    *,
    secure_cookies: bool = False,
    clock: Callable[[], datetime] = utc_now,
    mfa: MfaPolicy = MfaPolicy.OPTIONAL,
) -> FastAPI:
    """The web app. ``mfa``: whether every sign-in needs a code from an authenticator app
    (``coldcheck serve`` defaults to REQUIRED; OPTIONAL here keeps tests that are not about
    the second factor to one step)."""
    from coldcheck.web import (
        account_api,
        account_pages,
        api,
        auth,
        forms,
        labels,
        mfa_pages,
        pages,
        records,
        screens,
    )

    web = Web(settings=settings, secure_cookies=secure_cookies, clock=clock, mfa=mfa)
    app = FastAPI(
        title="coldcheck",
        summary="Provable prop-firearm safety on set: the set node's API.",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    app.state.web = web
    app.add_middleware(BodyLimit)
    app.add_exception_handler(Refusal, problems.refusal_handler)
    app.add_exception_handler(StoreError, problems.store_handler)
    app.add_exception_handler(RequestValidationError, problems.validation_handler)
    # A session with a temporary password: 403 for the API, the account page for pages.
    app.add_exception_handler(auth.PasswordChangeNeeded, account_pages.password_change_handler)
    app.include_router(api.router)
    app.include_router(account_api.router)
    app.include_router(pages.router)
    app.include_router(account_pages.router)
    app.include_router(mfa_pages.router)
    app.include_router(screens.router)
    app.include_router(forms.router)
    app.include_router(labels.router)
    app.include_router(records.router)
    pages.mount_static(app)
    return app
