"""The store port: the only thing the application knows about persistence.

A store keeps, per production, an append-only sequence of ledger records (positions 1..n),
the node-signed checkpoints, and the vault of sealed personal keys. It never interprets a
record; it only guarantees order, atomicity and durability:

- ``append`` writes a batch at positions expected+1.. atomically, or refuses with
  StaleAppend when the production's head is not ``expected`` (optimistic concurrency: two
  writers cannot both extend the same head, so the sequence has no gap and no fork);
- an acknowledged append (``append`` returned) survives a crash of the process or the machine
  under the backend's documented durability setting.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from coldcheck.ledger.keys import SealedKey


class StoreError(Exception):
    """A store cannot be opened or used; the message says what to do."""


class StaleAppend(StoreError):
    """The production's head moved since the caller read it; reload and decide again."""

    def __init__(self, production: str, expected: int, actual: int) -> None:
        super().__init__(f"production {production}: expected head {expected}, found {actual}")
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True, kw_only=True, slots=True)
class NewRecord:
    seq: int
    data: bytes
    hash: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredRecord:
    """A record as stored; ``position`` orders records across all productions of a store."""

    position: int
    production: str
    seq: int
    data: bytes
    hash: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class Head:
    seq: int
    hash: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredCheckpoint:
    production: str
    size: int
    note: str
    created: str


class Store(Protocol):
    """The port. Backends: coldcheck.store.sqlite (and a PostgreSQL adapter later)."""

    def append(
        self,
        production: str,
        expected: int,
        records: Sequence[NewRecord],
        *,
        sealed_keys: Sequence[SealedKey] = (),
    ) -> Head:
        """Append ``records`` (seq expected+1, expected+2, ...) and the sealed keys atomically."""
        ...

    def version(self) -> int | None:
        """A cheap change number, so that a reader can skip a query when nothing is new.

        It differs from an earlier value whenever anything was committed in between: by another
        connection or process, or through this object; each ``append`` or ``add_checkpoint``
        made through this object raises it by exactly one, so a writer that read ``n`` before
        its own append knows that ``n + 1`` afterwards means "nothing but my append". None:
        the backend cannot tell, and the caller must read the store.
        """
        ...

    def head(self, production: str) -> Head | None:
        """The last record's position and hash, or None for a production with no records."""
        ...

    def read_stream(self, production: str, after: int = 0) -> Iterator[StoredRecord]:
        """The production's records with seq > after, in order."""
        ...

    def read_all(self, after: int = 0, limit: int = 1000) -> list[StoredRecord]:
        """Up to ``limit`` records of every production with position > after, in order."""
        ...

    def productions(self) -> list[str]: ...

    def add_checkpoint(self, production: str, size: int, note: str, created: str) -> None: ...

    def checkpoints(self, production: str) -> list[StoredCheckpoint]:
        """The production's checkpoints, smallest size first."""
        ...

    def sealed_key(self, production: str, person: str) -> SealedKey | None:
        """The person's newest sealed key."""
        ...

    def close(self) -> None: ...
