"""Running the web app: ``coldcheck serve`` starts uvicorn with this module's factory, which
reads its settings from the environment in every worker process (the same variables as the
CLI: COLDCHECK_DB, COLDCHECK_NODE_KEY, ...; COLDCHECK_SECURE_COOKIES=1 behind TLS)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from coldcheck.app.settings import Settings
from coldcheck.web.app import create_app


def from_environment() -> FastAPI:
    secure = os.environ.get("COLDCHECK_SECURE_COOKIES") == "1"
    return create_app(Settings.load(), secure_cookies=secure)
