"""SQLite adapter of the store port: one file, WAL, one writer at a time.

Durability: ``synchronous=FULL`` by default, so an append is on disk (the WAL is fsynced) before
``append`` returns, and survives a power cut. ``synchronous=NORMAL`` is allowed only when asked
for explicitly (``Settings.sqlite_synchronous``): it still never corrupts the file, but the
newest commits can be lost on power failure (not on a process crash). See docs/store.md.

Writers: every append reads the head under SQLite's single write lock, so two processes cannot
both extend the same head: a batch (or an append with sealed keys) in ``BEGIN IMMEDIATE``, the
common single record in one autocommit statement that inserts only at the expected head (a
writing statement holds the write lock from before its first read to its commit). The unique key
(production, seq) is the second line of defence. Plain SQL with bound parameters keeps the common
append to one statement and one FULL commit, which is what the durability benchmark needs
(docs/store.md explains why there is no ORM here).

Readers: ``version()`` combines ``PRAGMA data_version`` (changes when another connection commits)
with a count of this object's own commits, so the journal can skip its catch-up query when
nothing is new (docs/store.md).
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
# ``position`` and ``added`` are rowids without AUTOINCREMENT: rows are never deleted, so SQLite's
# max(rowid) + 1 already gives unique, increasing numbers, and an append does not have to write
# the sqlite_sequence table too (one page fewer per commit: measured 3.26 -> 2.2 WAL frames).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    position   INTEGER PRIMARY KEY,
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
    added      INTEGER PRIMARY KEY,
    UNIQUE (production, key_id)
);
"""
_SYNCHRONOUS = {"FULL", "NORMAL"}
# Insert one record if, and only if, the production's head is the expected one: otherwise the
# CASE (no ELSE) gives a NULL seq, which the NOT NULL constraint refuses, and nothing is written.
# (An INSERT ... SELECT ... WHERE would say the same, but SQLite first copies the rows of a SELECT
# that reads the table being written into a temporary table: ~10 us more per append.)
_INSERT_AT_HEAD = (
    "INSERT INTO records (production, seq, data, hash) VALUES (?, CASE coalesce("
    "(SELECT max(seq) FROM records WHERE production = ?), 0) WHEN ? THEN ? END, ?, ?)"
)


def _unavailable(path: Path, exc: sqlite3.OperationalError) -> StoreError:
    return StoreError(
        f"the store {path} cannot be written now ({exc}); nothing was written. "
        "Try again; if it persists, check that no other program holds the file "
        "and that the disk has space"
    )


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
        self._commits = 0  # commits made through this object (see ``version``)
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
        # Recognise the file before switching it to WAL: that switch is written into the file,
        # and another program's database must be left exactly as it was.
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise StoreError(f"{self.path} is an SQLite file but not a coldcheck store")
        if version not in (0, SCHEMA_VERSION):
            raise StoreError(
                f"{self.path} has store schema {version}; this coldcheck "
                f"reads schema {SCHEMA_VERSION}"
            )
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: SQLite refused WAL mode (got {mode})")
        db.execute(f"PRAGMA synchronous = {synchronous}")  # checked against _SYNCHRONOUS
        if version == 0:
            db.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")

    # -- records -----------------------------------------------------------------------------

    def append(
        self,
        production: str,
        expected: int,
        records: Sequence[NewRecord],
        *,
        sealed_keys: Sequence[SealedKey] = (),
    ) -> Head:
        try:
            return self._append(production, expected, records, sealed_keys)
        except sqlite3.OperationalError as exc:  # busy past the timeout, disk full, read-only
            raise _unavailable(self.path, exc) from exc

    def _append(
        self,
        production: str,
        expected: int,
        records: Sequence[NewRecord],
        sealed_keys: Sequence[SealedKey],
    ) -> Head:
        if not records:
            raise StoreError("nothing to append")
        for offset, record in enumerate(records, start=1):
            if record.seq != expected + offset:
                raise StoreError(f"record {record.seq} does not follow position {expected}")
        if len(records) == 1 and not sealed_keys:
            return self._append_one(production, expected, records[0])
        db = self._db
        db.execute("BEGIN IMMEDIATE")  # the write lock: nobody else can move the head now
        try:
            actual = self._last_seq(production)
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
            self._commits += 1
        except sqlite3.IntegrityError as exc:  # e.g. a sealed key id stored twice
            db.execute("ROLLBACK")
            raise StoreError(
                f"production {production}: the batch collides with stored data ({exc}); "
                "nothing was written"
            ) from exc
        except BaseException:
            db.execute("ROLLBACK")
            raise
        last = records[-1]
        return Head(seq=last.seq, hash=last.hash)

    def _append_one(self, production: str, expected: int, record: NewRecord) -> Head:
        """The common case, one record and no key, as one statement that inserts the record
        only if the head is ``expected``. Run on its own (autocommit), a writing statement takes
        SQLite's write lock before it reads anything and commits (FULL) when it ends, so the
        head check and the insert happen under the lock, as in ``BEGIN IMMEDIATE`` ... ``COMMIT``,
        with three statements fewer."""
        try:
            self._db.execute(
                _INSERT_AT_HEAD,
                (production, production, expected, record.seq, record.data, record.hash),
            )
        except sqlite3.IntegrityError as exc:  # nothing was written
            actual = self._last_seq(production)
            if actual != expected:  # the usual case: decided under the lock, newest head shown
                raise StaleAppend(production, expected, actual) from None
            raise StoreError(
                f"production {production}: the record collides with stored data ({exc}); "
                "nothing was written"
            ) from exc
        self._commits += 1
        return Head(seq=record.seq, hash=record.hash)

    def _last_seq(self, production: str) -> int:
        row = self._db.execute(
            "SELECT max(seq) FROM records WHERE production = ?", (production,)
        ).fetchone()
        last: int = row[0] or 0
        return last

    def version(self) -> int | None:
        # PRAGMA data_version changes when another connection commits (it starts a read
        # transaction, so it sees the newest WAL state), never for this connection's own
        # commits: those are counted in ``_commits``, which stays below 2**64.
        data_version: int = self._db.execute("PRAGMA data_version").fetchone()[0]
        return (data_version << 64) | self._commits

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
        # A production whose records were all deleted still has its signed checkpoints: list
        # it, so that an audit finds the deletion instead of skipping the production.
        rows = self._db.execute(
            "SELECT production FROM records UNION SELECT production FROM checkpoints"
            " ORDER BY production"
        )
        return [r[0] for r in rows]

    # -- checkpoints -------------------------------------------------------------------------

    def add_checkpoint(self, production: str, size: int, note: str, created: str) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _unavailable(self.path, exc) from exc
        try:
            self._db.execute(
                "INSERT OR IGNORE INTO checkpoints (production, size, note, created)"
                " VALUES (?, ?, ?, ?)",
                (production, size, note, created),
            )
            self._db.execute("COMMIT")
            self._commits += 1
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
