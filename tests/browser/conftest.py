"""Browser tests: the web app served by uvicorn on a free port, driven by Playwright in
Debian's headless Chromium (its executable path: no browser download). Without Chromium they
are skipped, except under CI=true, where they must run (.ci/run installs Chromium)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import ViewportSize

from coldcheck.app.accounts import Accounts
from coldcheck.app.settings import Settings
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from coldcheck.web.app import create_app
from tests.conftest import PRODUCTION, make_app, seed

PASSWORD = "saddle brass lantern"
USERS = {"hannah": "P01", "jack": "P02", "ann": "P03", "paul": "P04"}
ARTIFACTS = Path(os.environ.get("COLDCHECK_ARTIFACTS", "test-artifacts"))
PHONE: ViewportSize = {"width": 360, "height": 780}


def chromium() -> str | None:
    return os.environ.get("COLDCHECK_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_path() -> str:
    found = chromium()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Debian's chromium is not installed (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return found


@dataclass
class Served:
    url: str
    db: Path
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    db = tmp_path / "set.db"
    app = make_app(db)
    try:
        seed(app)
    finally:
        app.close()
    accounts = Accounts(SqliteAccountStore(db, create=True))
    try:
        for username, person in USERS.items():
            account = accounts.create_account(username, username.title(), PASSWORD)
            accounts.link(account.id, PRODUCTION, person)
    finally:
        accounts.store.close()
    settings = Settings.load(str(db), env={"COLDCHECK_INSECURE_TEST_KDF": "1"})
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=1,  # open event streams are cut, as when a set node stops
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise TimeoutError("the web app did not start within 10 s")
        time.sleep(0.05)
    found = Served(url=f"http://127.0.0.1:{port}", db=db, server=server, thread=thread)
    yield found
    found.stop()
