"""coldcheck serve: the set node's web app (HTTP API and pages) over the same store."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from coldcheck.app.settings import Settings
from coldcheck.app.twostep import MfaPolicy
from coldcheck.cli.common import DbOpt


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0: the set's network).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Worker processes.")] = 1,
    secure_cookies: Annotated[
        bool, typer.Option(help="Mark cookies Secure (set this when served behind TLS).")
    ] = False,
    mfa: Annotated[
        MfaPolicy,
        typer.Option(
            help="required: every sign-in needs a code from an authenticator app, set up at the "
            "first sign-in; optional: only for accounts that set one up (demos, tests).",
            case_sensitive=False,
        ),
    ] = MfaPolicy.REQUIRED,
    db: DbOpt = None,
) -> None:
    """Serve the web app: the live board, the armorer's and the 1st AD's screens, the JSON API
    (docs at /api/docs). Sessions and idempotency keys live in the store, so several workers
    agree."""
    import uvicorn

    settings = Settings.load(db)
    if not settings.db.exists():
        typer.echo(
            f"coldcheck: there is no store at {settings.db}. Create one first: coldcheck init, "
            "or coldcheck demo.",
            err=True,
        )
        raise typer.Exit(2)
    os.environ["COLDCHECK_DB"] = str(settings.db)
    os.environ["COLDCHECK_NODE_KEY"] = str(settings.node_key)
    os.environ["COLDCHECK_SECURE_COOKIES"] = "1" if secure_cookies else "0"
    os.environ["COLDCHECK_MFA"] = mfa.value
    typer.echo(
        f"coldcheck: serving {settings.db} at http://{host}:{port}/ "
        f"(two-step sign-in {mfa.value}; Ctrl-C stops)"
    )
    uvicorn.run(
        "coldcheck.web.server:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=secure_cookies,
        log_level="info",
        timeout_graceful_shutdown=5,  # the boards' event streams never end on their own
    )
