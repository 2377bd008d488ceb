"""Wiring: one ``bootstrap()`` with explicit arguments; the ``App`` the edges talk to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import nacl.signing

from coldcheck.app.journal import Journal
from coldcheck.app.node import Node, load_node, load_or_create_node
from coldcheck.app.settings import Settings
from coldcheck.domain.errors import InvalidInput, NotAuthorised, NotFound, WrongPin
from coldcheck.domain.state import ProductionState
from coldcheck.ledger.errors import SealedKeyError
from coldcheck.ledger.keys import KdfCost, SealedKey, open_key
from coldcheck.store.port import Store
from coldcheck.store.sqlite import SqliteStore


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class App:
    store: Store
    settings: Settings
    clock: Callable[[], datetime] = utc_now
    _node: Node | None = None
    _journals: dict[str, Journal] = field(default_factory=dict)

    @property
    def kdf(self) -> KdfCost:
        return self.settings.kdf

    def node(self, create: bool = False) -> Node:
        if self._node is None:
            path = self.settings.node_key
            self._node = load_or_create_node(path) if create else load_node(path)
        return self._node

    def use_clock(self, clock: Callable[[], datetime]) -> None:
        """Record with another clock from now on (the demo's simulated day, tests)."""
        self.clock = clock
        self._journals.clear()

    def journal(self, production: str) -> Journal:
        journal = self._journals.get(production)
        if journal is None:
            journal = Journal(self.store, production, lambda: self.node().name, self.clock)
            self._journals[production] = journal
        return journal

    def state(self, production: str) -> ProductionState:
        return self.journal(production).refresh()

    def production(self, ref: str | None) -> str:
        """The production to act on: the one named, or the only one in the store."""
        known = self.store.productions()
        if ref:
            if ref not in known:
                raise NotFound(
                    f"There is no production {ref!r} in this store.",
                    f"Known: {', '.join(known) or 'none'}.",
                )
            return ref
        if len(known) == 1:
            return known[0]
        if not known:
            raise NotFound("This store holds no production yet.", "Run 'coldcheck init'.")
        raise InvalidInput(
            "This store holds several productions.",
            f"Name one with --production ({', '.join(known)}).",
        )

    def unlock(self, production: str, person: str, pin: str) -> nacl.signing.SigningKey:
        """Open a person's signing key with their PIN, for an attestation."""
        state = self.state(production)
        who = state.people[person]
        sealed = self.store.sealed_key(production, person)
        if sealed is None or who.key is None or sealed.key_id != who.key:
            raise NotAuthorised(
                f"{who.name} has no active signing key on this node.",
                "Create a new key for them (coldcheck person key new).",
            )
        try:
            return open_key(sealed, pin)
        except SealedKeyError as exc:
            raise WrongPin(f"{who.name}: {exc}.", "Type the PIN again.") from exc

    def unlock_sealed(self, sealed: SealedKey, pin: str) -> nacl.signing.SigningKey:
        """Open a key sealed a moment ago: the PIN round-trips before anything is written."""
        try:
            return open_key(sealed, pin)
        except SealedKeyError as exc:
            raise NotAuthorised(str(exc), "Try again.") from exc

    def close(self) -> None:
        self.store.close()


def bootstrap(
    settings: Settings, *, create: bool = False, clock: Callable[[], datetime] = utc_now
) -> App:
    store = SqliteStore(settings.db, create=create, synchronous=settings.sqlite_synchronous)
    return App(store=store, settings=settings, clock=clock)
