"""An acknowledged append survives the writer being killed at any moment.

A writer process appends to a seeded production through the application layer and prints
each sequence number once ``set_lock`` has returned. The test SIGKILLs it at a random moment
(0.05-0.5 s after it started appending), reopens the same store file, and checks:

- every acknowledged append is stored, and at most one more (the append in flight when the
  writer died may or may not have committed; it was never acknowledged);
- the entries written since the last kill follow on from the old head, contiguous and each
  linked to the one before: no torn, half-linked or repeated entry;
- the full audit (``ledgerops.verify``) passes: after every 5th kill and after the last one.
  Damage done by any kill stays in the file, so the audits still cover every kill; auditing
  after each one would cost time quadratic in the ledger's length.

Then the next writer carries on appending to the same file. The default run kills 20
writers; ``make slow`` (``-m slow``) kills 500.
"""

from __future__ import annotations

import random
import signal
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from tests.conftest import PRODUCTION
from tests.integration.appender import Appender

from coldcheck.app import handlers as h
from coldcheck.app import ledgerops
from coldcheck.app.service import App, bootstrap
from coldcheck.app.settings import Settings
from coldcheck.domain.values import Permit, Role, StoreKind
from coldcheck.ledger.entry import decode

TEST_ENV = {"COLDCHECK_INSECURE_TEST_KDF": "1"}


@dataclass(frozen=True)
class StoreFile:
    db: Path
    node_key: str


@pytest.fixture
def store_file(seeded: App) -> StoreFile:
    store_file = StoreFile(db=seeded.settings.db, node_key=seeded.node().verifier_key)
    seeded.close()  # the writers own the file from here on
    return store_file


@dataclass
class Soak:
    kills: int = 0
    acknowledged: int = 0
    killed_after_an_ack: int = 0
    committed_unacknowledged: int = 0


def _open(db: Path) -> App:
    return bootstrap(Settings.load(str(db), env=TEST_ENV))


def _new_production(db: Path, production: str) -> None:
    """Open another production in the same store file: an armorer and a store to lock."""
    app = _open(db)
    try:
        permit = Permit(number="CA-0042", authority="California DOJ", expires=date(2099, 1, 1))
        h.init(
            app,
            production,
            "Soak",
            "Hannah Reed",
            frozenset({Role.ARMORER}),
            "111111",
            head_armorer=True,
            permit=permit,
        )
        h.add_store(app, production, "P01", "Main safe", StoreKind.SAFE, locked=False)
    finally:
        app.close()


def _check_new_entries(app: App, production: str, before: int) -> int:
    """The entries after ``before`` continue the ledger seamlessly; return the new head."""
    head = app.store.head(production)
    assert head is not None
    previous = next(app.store.read_stream(production, before - 1))
    for stored in app.store.read_stream(production, before):
        body = decode(stored.data).body
        assert (stored.seq, body.seq) == (previous.seq + 1, previous.seq + 1), "gap or repeat"
        assert body.prev == previous.hash.hex(), f"entry {stored.seq} does not link back"
        previous = stored
    assert previous.seq == head.seq
    return head.seq


def _soak(store_file: StoreFile, production: str, kills: int, audit_every: int) -> Soak:
    rng = random.Random()
    soak = Soak()
    app = _open(store_file.db)
    try:
        head = ledgerops.verify(app, production, store_file.node_key).size
    finally:
        app.close()
    with ExitStack() as reaper:
        # Each writer is started while the previous kill is being checked (it only opens the
        # store and waits), which hides some of its start-up time; it appends once released.
        writer = reaper.enter_context(Appender(store_file.db, production, "S01", wait=True))
        for kill in range(1, kills + 1):
            writer.wait_ready(timeout=120)
            writer.go()
            time.sleep(rng.uniform(0.05, 0.5))
            writer.kill()
            assert writer.returncode == -signal.SIGKILL, writer.stderr  # killed, not failed
            acked = writer.acknowledged()
            if kill < kills:
                writer = reaper.enter_context(Appender(store_file.db, production, "S01", wait=True))
            assert acked == list(range(head + 1, head + 1 + len(acked))), "acks out of order"
            last_ack = acked[-1] if acked else head

            app = _open(store_file.db)
            try:
                stored = _check_new_entries(app, production, head)
                if kill % audit_every == 0 or kill == kills:
                    report = ledgerops.verify(app, production, store_file.node_key)
                    assert report.size == stored
            finally:
                app.close()

            assert stored >= last_ack, f"kill {kill}: acknowledged {last_ack}, stored {stored}"
            assert stored <= last_ack + 1, f"kill {kill}: {stored - last_ack} unacknowledged"
            soak.kills += 1
            soak.acknowledged += len(acked)
            soak.killed_after_an_ack += bool(acked)
            soak.committed_unacknowledged += stored - last_ack
            head = stored
    return soak


def test_twenty_kills_lose_no_acknowledged_append(store_file: StoreFile) -> None:
    soak = _soak(store_file, PRODUCTION, kills=20, audit_every=5)

    # The kills really landed while the writer was appending, not before it started.
    assert soak.killed_after_an_ack >= 15, soak


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_five_hundred_kills_lose_no_acknowledged_append(store_file: StoreFile) -> None:
    # Every new writer reads its production's whole ledger before appending (as any command
    # does), so one production growing by ~10^5 entries would make the run quadratic. The
    # 500 kills go to ten productions of the same store file instead, 50 kills each; each
    # production is audited at the end of its 50 kills, and all of them again at the end.
    productions = [PRODUCTION, *(f"soak-{n}" for n in range(2, 11))]
    soaks = []
    for production in productions:
        if production != PRODUCTION:
            _new_production(store_file.db, production)
        soaks.append(_soak(store_file, production, kills=50, audit_every=50))

    app = _open(store_file.db)
    try:
        assert sorted(app.store.productions()) == sorted(productions)
        for production in productions:
            ledgerops.verify(app, production, store_file.node_key)
    finally:
        app.close()
    assert sum(s.kills for s in soaks) == 500
    assert sum(s.killed_after_an_ack for s in soaks) >= 400, soaks
