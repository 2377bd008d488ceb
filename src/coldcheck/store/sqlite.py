"""SQLite adapter of the store port: one file, WAL, one writer at a time.

Durability: ``synchronous=FULL`` by default, so an append is on disk (the WAL is fsynced) before
``append`` returns, and survives a power cut. ``synchronous=NORMAL`` is allowed only when asked
for explicitly (``Settings.sqlite_synchronous``): it still never corrupts the file, but the
newest commits can be lost on power failure (not on a process crash). See docs/store.md.

Writers: every append runs in ``BEGIN IMMEDIATE``, which takes SQLite's single write lock
before reading the head, so two processes cannot both extend the same head; the primary key
(production, seq) is the second line of defence. Plain SQL with bound parameters keeps the
append path to two statements, which is what the durability benchmark needs (docs/store.md
explains why there is no ORM here).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from coldcheck.ledger.keys import SealedKey
from coldcheck.store.port import (
    Head,
    NewRecord,
    StaleAppend,
    StoredCheckpoint,
    StoredRecord,
    StoreError,
)

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    position   INTEGER PRIMARY KEY AUTOINCREMENT,
    production TEXT    NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    data       BLOB    NOT NULL,
    hash       BLOB    NOT NULL,
    UNIQUE (production, seq)
);
CREATE TABLE IF NOT EXISTS checkpoints (
    production TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    note       TEXT    NOT NULL,
    created    TEXT    NOT NULL,
    PRIMARY KEY (production, size)
);
CREATE TABLE IF NOT EXISTS sealed_keys (
    production TEXT    NOT NULL,
    person     TEXT    NOT NULL,
    key_id     TEXT    NOT NULL,
    public_key BLOB    NOT NULL,
    salt       BLOB    NOT NULL,
    opslimit   INTEGER NOT NULL,
    memlimit   INTEGER NOT NULL,
    box        BLOB    NOT NULL,
    added      INTEGER PRIMARY KEY AUTOINCREMENT,
    UNIQUE (production, key_id)
);
"""
_SYNCHRONOUS = {"FULL", "NORMAL"}


class SqliteStore:
    """The store port on one SQLite file."""

    def __init__(
        self,
        path: Path,
        *,
        create: bool = False,
        synchronous: str = "FULL",
        busy_timeout_ms: int = 10_000,
    ) -> None:
        if synchronous not in _SYNCHRONOUS:
            raise StoreError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
        if not create and not path.exists():
            raise StoreError(
                f"there is no coldcheck store at {path}; "
                "run 'coldcheck init' or pass --db with the right path"
            )
        self.path = path
        try:
            self._db = sqlite3.connect(
                path, isolation_level=None, timeout=busy_timeout_ms / 1000, check_same_thread=False
            )
            self._configure(synchronous, busy_timeout_ms, create)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path} is not a readable coldcheck store ({exc}); "
                "check the path, or restore the file from a backup"
            ) from exc

    def _configure(self, synchronous: str, busy_timeout_ms: int, create: bool) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: SQLite refused WAL mode (got {mode})")
        db.execute(f"PRAGMA synchronous = {synchronous}")  # checked against _SYNCHRONOUS
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables and not create:
                raise StoreError(f"{self.path} is an SQLite file but not a coldcheck store")
            db.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        elif version != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has store schema {version}; this coldcheck "
                f"reads schema {SCHEMA_VERSION}"
            )

    # -- records -----------------------------------------------------------------------------

    def append(
        self,
        production: str,
        expected: int,
        records: Sequence[NewRecord],
        *,
        sealed_keys: Sequence[SealedKey] = (),
    ) -> Head:
        if not records:
            raise StoreError("nothing to append")
        for offset, record in enumerate(records, start=1):
            if record.seq != expected + offset:
                raise StoreError(f"record {record.seq} does not follow position {expected}")
        db = self._db
        db.execute("BEGIN IMMEDIATE")  # the write lock: nobody else can move the head now
        try:
            row = db.execute(
                "SELECT max(seq) FROM records WHERE production = ?", (production,)
            ).fetchone()
            actual = row[0] or 0
            if actual != expected:
                raise StaleAppend(production, expected, actual)
            db.executemany(
                "INSERT INTO records (production, seq, data, hash) VALUES (?, ?, ?, ?)",
                [(production, r.seq, r.data, r.hash) for r in records],
            )
            if sealed_keys:
                db.executemany(
                    "INSERT INTO sealed_keys (production, person, key_id, public_key, salt,"
                    " opslimit, memlimit, box) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            k.production,
                            k.person,
                            k.key_id,
                            k.public_key,
                            k.salt,
                            k.opslimit,
                            k.memlimit,
                            k.box,
                        )
                        for k in sealed_keys
                    ],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        last = records[-1]
        return Head(seq=last.seq, hash=last.hash)

    def head(self, production: str) -> Head | None:
        row = self._db.execute(
            "SELECT seq, hash FROM records WHERE production = ? ORDER BY seq DESC LIMIT 1",
            (production,),
        ).fetchone()
        return Head(seq=row[0], hash=row[1]) if row else None

    def read_stream(self, production: str, after: int = 0) -> Iterator[StoredRecord]:
        cursor = self._db.execute(
            "SELECT position, production, seq, data, hash FROM records"
            " WHERE production = ? AND seq > ? ORDER BY seq",
            (production, after),
        )
        for row in cursor:
            yield StoredRecord(
                position=row[0], production=row[1], seq=row[2], data=row[3], hash=row[4]
            )

    def read_all(self, after: int = 0, limit: int = 1000) -> list[StoredRecord]:
        rows = self._db.execute(
            "SELECT position, production, seq, data, hash FROM records"
            " WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        ).fetchall()
        return [
            StoredRecord(position=r[0], production=r[1], seq=r[2], data=r[3], hash=r[4])
            for r in rows
        ]

    def productions(self) -> list[str]:
        rows = self._db.execute("SELECT DISTINCT production FROM records ORDER BY production")
        return [r[0] for r in rows]

    # -- checkpoints -------------------------------------------------------------------------

    def add_checkpoint(self, production: str, size: int, note: str, created: str) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute(
                "INSERT OR IGNORE INTO checkpoints (production, size, note, created)"
                " VALUES (?, ?, ?, ?)",
                (production, size, note, created),
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def checkpoints(self, production: str) -> list[StoredCheckpoint]:
        rows = self._db.execute(
            "SELECT production, size, note, created FROM checkpoints"
            " WHERE production = ? ORDER BY size",
            (production,),
        )
        return [StoredCheckpoint(production=r[0], size=r[1], note=r[2], created=r[3]) for r in rows]

    # -- key vault ---------------------------------------------------------------------------

    def sealed_key(self, production: str, person: str) -> SealedKey | None:
        row = self._db.execute(
            "SELECT production, person, key_id, public_key, salt, opslimit, memlimit, box"
            " FROM sealed_keys WHERE production = ? AND person = ? ORDER BY added DESC LIMIT 1",
            (production, person),
        ).fetchone()
        if row is None:
            return None
        return SealedKey(
            production=row[0],
            person=row[1],
            key_id=row[2],
            public_key=row[3],
            salt=row[4],
            opslimit=row[5],
            memlimit=row[6],
            box=row[7],
        )

    def close(self) -> None:
        self._db.close()
