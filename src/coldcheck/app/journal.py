"""The write path: load state, decide, sign, append with the expected position, evolve.

One ``Journal`` per production keeps the projected state of the ledger in memory and catches
up from the store before every command, so a second writer (another process) is never missed;
the store's expected-position check makes the append safe even when two writers race.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import nacl.signing

from coldcheck.domain.commands import Command, Context
from coldcheck.domain.decide import decide
from coldcheck.domain.errors import Conflict
from coldcheck.domain.events import Event, from_payload
from coldcheck.domain.state import ProductionState, Stamp, evolve
from coldcheck.ledger.entry import GENESIS_PREV, Body, Correction, Record, decode, format_time
from coldcheck.ledger.keys import SealedKey, attest
from coldcheck.store.port import Head, NewRecord, StaleAppend, Store

Signers = Mapping[str, Sequence[nacl.signing.SigningKey]]
_RETRIES = 8


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
        self, store: Store, production: str, node: str, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.production = production
        self.node = node
        self.clock = clock
        self.state = ProductionState()
        self._head: Head | None = None

    def refresh(self) -> ProductionState:
        """Catch up with records appended since the last look (by anyone)."""
        after = self._head.seq if self._head else 0
        for stored in self.store.read_stream(self.production, after):
            record = decode(stored.data)
            self._apply(record)
            self._head = Head(seq=stored.seq, hash=stored.hash)
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
        for _ in range(_RETRIES):
            self.refresh()
            now = self.clock()
            events = decide(self.state, command, Context(actor=actor, now=now))
            time = format_time(now)
            records = self._records(events, actor, time, signers or {})
            expected = self._head.seq if self._head else 0
            try:
                self._head = self.store.append(
                    self.production, expected, records, sealed_keys=sealed_keys
                )
            except StaleAppend:
                continue
            for event, record in zip(events, records, strict=True):
                self.state = evolve(self.state, event, Stamp(seq=record.seq, time=time))
            return Appended(
                events=tuple(events), first_seq=records[0].seq, last_seq=records[-1].seq, time=time
            )
        raise Conflict("The ledger is busy: other writers kept moving it.", "Try again.")

    def _records(
        self, events: Sequence[Event], actor: str, time: str, signers: Signers
    ) -> list[NewRecord]:
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
                node=self.node,
                type=event.TYPE,
                schema=event.SCHEMA,
                payload=event.payload(),
                prev=prev,
                attest=event.attesters(),
                corrects=self._correction(event),
            )
            sigs = tuple(
                attest(body, person, key)
                for person in body.attest
                for key in _keys_for(signers, person)
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
