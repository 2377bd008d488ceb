"""Running the web app: ``coldcheck serve`` starts uvicorn with this module's factory, which
reads its settings from the environment in every worker process (the same variables as the
CLI: COLDCHECK_DB, COLDCHECK_NODE_KEY, ...; COLDCHECK_SECURE_COOKIES=1 behind TLS;
COLDCHECK_MFA=required, the default, or optional)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from fastapi import FastAPI

from coldcheck.app.settings import Settings
from coldcheck.app.twostep import MfaPolicy
from coldcheck.web.app import create_app


def from_environment() -> FastAPI:
    secure = os.environ.get("COLDCHECK_SECURE_COOKIES") == "1"
    return create_app(Settings.load(), secure_cookies=secure, mfa=mfa_policy(os.environ))


def mfa_policy(env: Mapping[str, str]) -> MfaPolicy:
    """COLDCHECK_MFA: ``required`` (also when unset) or ``optional``; anything else is refused
    at start rather than read as either."""
    given = env.get("COLDCHECK_MFA", MfaPolicy.REQUIRED.value).strip().casefold()
    try:
        return MfaPolicy(given)
    except ValueError:
        raise SystemExit(
            f"coldcheck: COLDCHECK_MFA is {given!r}; it must be 'required' or 'optional'."
        ) from None
