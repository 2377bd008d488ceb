"""The write path: load state, decide, sign, append with the expected position, evolve.

One ``Journal`` per production keeps the projected state of the ledger in memory. A command is
decided on that state and appended with the position it was decided at: the store's
expected-position check (under its write lock) refuses the append if anyone, in this process or
another, has appended since, and the journal then catches up and decides again. So a second
writer is never missed, and the journal only reads the store when it has to: when it has never
read it, after a refused append, and before letting a refusal stand (a refusal must come from
the newest state, not from a stale copy). Even then a catch-up first asks the store's change
number (``Store.version``, one cheap pragma in SQLite) and reads only if anything was committed
since the state was last complete.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from time import sleep

import nacl.signing

from coldcheck.domain.commands import Command, Context
from coldcheck.domain.decide import decide
from coldcheck.domain.errors import Conflict
from coldcheck.domain.events import Event, from_payload, required_attesters
from coldcheck.domain.state import ProductionState, Stamp, evolve
from coldcheck.ledger.entry import GENESIS_PREV, Body, Correction, Record, decode, format_time
from coldcheck.ledger.keys import SealedKey, attest
from coldcheck.store.port import Head, NewRecord, StaleAppend, Store

Signers = Mapping[str, Sequence[nacl.signing.SigningKey]]
_RETRIES = 16


@dataclass(frozen=True, kw_only=True, slots=True)
class Appended:
    """What a command wrote: its events and the positions they took."""

    events: tuple[Event, ...]
    first_seq: int
    last_seq: int
    time: str


class Journal:
    """Writer and projection for one production's ledger."""

    def __init__(
        self,
        store: Store,
        production: str,
        node: Callable[[], str],
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.production = production
        self.node = node
        self.clock = clock
        self.state = ProductionState()
        self._head: Head | None = None
        # The store's change number when the state was last known to hold everything stored
        # (None: unknown). While the store still reports it, a refresh has nothing to read.
        self._seen: int | None = None

    def refresh(self) -> ProductionState:
        """Catch up with records appended since the last look (by anyone)."""
        version = self.store.version()
        if version is not None and version == self._seen:
            return self.state  # nobody, here or in another process, committed anything since
        after = self._head.seq if self._head else 0
        for stored in self.store.read_stream(self.production, after):
            record = decode(stored.data)
            self._apply(record)
            self._head = Head(seq=stored.seq, hash=stored.hash)
        # read before the query: anything committed after it changes the number again
        self._seen = version
        return self.state

    def _apply(self, record: Record) -> None:
        body = record.body
        event = from_payload(body.type, body.schema, body.payload)
        self.state = evolve(self.state, event, Stamp(seq=body.seq, time=body.time))

    def check(self, command: Command, actor: str) -> None:
        """Decide without writing: raises the refusal the command would get now."""
        decide(self.refresh(), command, Context(actor=actor, now=self.clock()))

    def execute(
        self,
        command: Command,
        actor: str,
        *,
        signers: Signers | None = None,
        sealed_keys: Sequence[SealedKey] = (),
    ) -> Appended:
        """Decide and append; on a concurrent append, catch up and decide again."""
        fresh = self._head is None
        if fresh:
            self.refresh()
        for attempt in range(_RETRIES):
            now = self.clock()
            try:
                events = decide(self.state, command, Context(actor=actor, now=now))
                time = format_time(now)
                records = self._records(events, actor, time, signers or {})
            except Exception:
                # Decided on the copy in memory: a refusal stands only if nothing is new.
                if fresh or not self._caught_up():
                    raise
                fresh = True
                continue
            expected = self._head.seq if self._head else 0
            seen, self._seen = self._seen, None  # unknown until the append has returned
            try:
                self._head = self.store.append(
                    self.production, expected, records, sealed_keys=sealed_keys
                )
            except StaleAppend:
                # Another writer got the head first. Back off a little (random, growing) so
                # that two busy writers take turns instead of colliding again and again.
                sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311 - jitter, not crypto
                self.refresh()
                fresh = True
                continue
            # The append succeeded on the head this state was decided at, so the state plus
            # these records is the whole stream as of the commit; the store's number rose by
            # exactly one for it, and any other commit since ``seen`` makes it differ.
            self._seen = None if seen is None else seen + 1
            for event, record in zip(events, records, strict=True):
                self.state = evolve(self.state, event, Stamp(seq=record.seq, time=time))
            return Appended(
                events=tuple(events), first_seq=records[0].seq, last_seq=records[-1].seq, time=time
            )
        raise Conflict("The ledger is busy: other writers kept moving it.", "Try again.")

    def _caught_up(self) -> bool:
        """Read what others appended; True if there was anything."""
        before = self._head
        self.refresh()
        return self._head != before

    def _records(
        self, events: Sequence[Event], actor: str, time: str, signers: Signers
    ) -> list[NewRecord]:
        node = self.node()  # the writing node's name: read only when writing
        seq = self._head.seq if self._head else 0
        prev = self._head.hash.hex() if self._head else GENESIS_PREV
        out: list[NewRecord] = []
        for event in events:
            seq += 1
            body = Body(
                seq=seq,
                production=self.production,
                time=time,
                actor=actor,
                node=node,
                type=event.TYPE,
                schema=event.SCHEMA,
                payload=event.payload(),
                prev=prev,
                attest=required_attesters(event, actor, seq),
                corrects=self._correction(event),
            )
            sigs = (
                tuple(
                    attest(body, person, key)
                    for person in body.attest
                    for key in _keys_for(signers, person)
                )
                if body.attest
                else ()
            )
            record = Record.seal(body, sigs)
            out.append(NewRecord(seq=seq, data=record.data, hash=record.hash))
            prev = record.hash.hex()
        return out

    def _correction(self, event: Event) -> Correction | None:
        target = event.corrects()
        if target is None:
            return None
        stored = next(self.store.read_stream(self.production, target - 1), None)
        if stored is None or stored.seq != target:
            raise Conflict(f"Entry {target} does not exist.", "Correct an existing entry.")
        return Correction(seq=target, hash=stored.hash.hex())


def _keys_for(signers: Signers, person: str) -> Sequence[nacl.signing.SigningKey]:
    keys = signers.get(person)
    if not keys:
        raise Conflict(f"This entry needs {person}'s signature.", "Give their PIN.")
    return keys
