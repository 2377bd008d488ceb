"""SQLite adapter of the account store port, in the ledger store's own file.

The accounts live beside the ledger (one file to back up), in their own tables and through
their own connection: opening first goes through ``SqliteStore``, which recognises the file
(or, with ``create``, makes it a coldcheck store), switches it to WAL and refuses another
program's database; the accounts tables are then added if missing, with their schema version
in a one-row table ``account_schema`` (``PRAGMA user_version`` belongs to the ledger schema).

Writers: every write runs in ``BEGIN IMMEDIATE``, so a check and the write it guards (a
username still free, a session still live) happen under SQLite's single write lock; the unique
keys are the second line of defence. Busy past the timeout, a full disk or a read-only file
becomes a ``StoreError`` with one sentence; nothing is written then. Every value is a bound
parameter: no SQL is built from strings (the PRAGMAs, which take no parameters, are built only
from integers and a checked keyword, as in ``coldcheck.store.sqlite``).

One object may be shared by the threads of a server process: each method holds the object's
lock, so one thread's transaction never interleaves with another's on the same connection.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from coldcheck.ledger.entry import format_time, parse_time
from coldcheck.ledger.errors import EncodingError
from coldcheck.store.accounts import (
    EVENT_TEXT_MAX,
    Account,
    AttemptClaim,
    AuthEvent,
    AuthEventKind,
    Duplicate,
    IdempotentResponse,
    Membership,
    Session,
)
from coldcheck.store.port import StoreError
from coldcheck.store.sqlite import SqliteStore
from coldcheck.store.sqlite_account_migrations import upgrade_v1
from coldcheck.store.sqlite_second_factor import SqliteSecondFactor

ACCOUNT_SCHEMA_VERSION = 2  # 1 -> 2: coldcheck.store.sqlite_account_migrations
PUBLIC_ID_BYTES = 8  # a session's public id: 16 hex digits from the OS's CSPRNG
_SYNCHRONOUS = {"FULL", "NORMAL"}
_HEX64 = re.compile(r"[0-9a-f]{64}")

# One statement per entry (a trigger body holds semicolons, so the list is not split on them).
# Rowids without AUTOINCREMENT, as in the ledger: account numbers and event seqs are never
# deleted, so max(rowid) + 1 already gives unique, increasing numbers.
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS account_schema (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        version   INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS accounts (
        number        INTEGER PRIMARY KEY,
        id            TEXT    NOT NULL UNIQUE,
        username      TEXT    NOT NULL UNIQUE
                      CHECK (length(username) BETWEEN 3 AND 64 AND username = lower(username)),
        display_name  TEXT    NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
        password_hash TEXT    NOT NULL CHECK (substr(password_hash, 1, 10) = '$argon2id$'),
        created       TEXT    NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        temporary_until TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS memberships (
        account    TEXT NOT NULL REFERENCES accounts (id),
        production TEXT NOT NULL,
        person     TEXT NOT NULL,
        PRIMARY KEY (account, production),
        UNIQUE (production, person)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS sessions (
        token_hash       TEXT    PRIMARY KEY CHECK (length(token_hash) = 64),
        account          TEXT    NOT NULL REFERENCES accounts (id),
        csrf             TEXT    NOT NULL,
        created          TEXT    NOT NULL,
        last_seen        TEXT    NOT NULL,
        idle_expires     TEXT    NOT NULL,
        absolute_expires TEXT    NOT NULL,
        ended            INTEGER NOT NULL DEFAULT 0 CHECK (ended IN (0, 1)),
        public_id        TEXT    NOT NULL DEFAULT '',
        client           TEXT    NOT NULL DEFAULT '',
        agent            TEXT    NOT NULL DEFAULT ''
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS sessions_by_account ON sessions (account, ended)",
    # Partial: a version-1 worker still running while a file is upgraded inserts sessions
    # without a public id (''), and must not collide on it (docs/security.md, section 2).
    "CREATE UNIQUE INDEX IF NOT EXISTS sessions_by_public_id ON sessions (public_id)"
    " WHERE public_id <> ''",
    """CREATE TABLE IF NOT EXISTS auth_events (
        seq      INTEGER PRIMARY KEY,
        time     TEXT    NOT NULL,
        kind     TEXT    NOT NULL CHECK (kind IN ('sign_in', 'failure', 'lockout', 'sign_out',
                                                  'expired', 'password_changed',
                                                  'account_created', 'mfa_failure',
                                                  'mfa_enrolled', 'mfa_reset',
                                                  'recovery_code_used', 'password_reset',
                                                  'sessions_ended', 'password_ok')),
        username TEXT    NOT NULL,
        account  TEXT,
        client   TEXT    NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS auth_events_by_username ON auth_events (username, kind, seq)",
    "CREATE INDEX IF NOT EXISTS auth_events_by_client ON auth_events (client, kind, seq)",
    # Credential checks in flight (``claim_attempt``): counted by the lockout until settled;
    # each row lives for the length of one check, and stale ones go after 30 minutes. Rows are
    # deleted, so AUTOINCREMENT: an id is never given again, and a release removes its own.
    """CREATE TABLE IF NOT EXISTS auth_attempts (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        time     TEXT    NOT NULL,
        username TEXT    NOT NULL,
        client   TEXT    NOT NULL
    )""",
    """CREATE TRIGGER IF NOT EXISTS auth_events_no_update BEFORE UPDATE ON auth_events
    BEGIN SELECT RAISE(ABORT, 'auth_events is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS auth_events_no_delete BEFORE DELETE ON auth_events
    BEGIN SELECT RAISE(ABORT, 'auth_events is append-only'); END""",
    """CREATE TABLE IF NOT EXISTS idempotency (
        account     TEXT    NOT NULL REFERENCES accounts (id),
        idem_key    TEXT    NOT NULL CHECK (length(idem_key) BETWEEN 1 AND 255),
        fingerprint TEXT    NOT NULL CHECK (length(fingerprint) = 64),
        status      INTEGER NOT NULL,
        body        TEXT    NOT NULL,
        created     TEXT    NOT NULL,
        PRIMARY KEY (account, idem_key)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS idempotency_by_created ON idempotency (created)",
    # The second factor (coldcheck.store.sqlite_second_factor): a confirmed TOTP secret per
    # account with the last time step it accepted; a secret being set up, not yet confirmed;
    # single-use recovery codes, only as SHA-256; sign-ins past the password and waiting for
    # the code (the token only as SHA-256), shared by every worker.
    """CREATE TABLE IF NOT EXISTS totp (
        account   TEXT    PRIMARY KEY REFERENCES accounts (id),
        secret    TEXT    NOT NULL CHECK (length(secret) BETWEEN 24 AND 64),
        enrolled  TEXT    NOT NULL,
        last_step INTEGER NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS totp_enrolments (
        account TEXT PRIMARY KEY REFERENCES accounts (id),
        secret  TEXT NOT NULL CHECK (length(secret) BETWEEN 24 AND 64),
        owner   TEXT NOT NULL CHECK (length(owner) = 64),
        created TEXT NOT NULL,
        expires TEXT NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS recovery_codes (
        code_hash TEXT PRIMARY KEY CHECK (length(code_hash) = 64),
        account   TEXT NOT NULL REFERENCES accounts (id),
        created   TEXT NOT NULL,
        used      TEXT
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS recovery_codes_by_account ON recovery_codes (account, used)",
    """CREATE TABLE IF NOT EXISTS pending_sign_ins (
        token_hash TEXT    PRIMARY KEY CHECK (length(token_hash) = 64),
        account    TEXT    NOT NULL REFERENCES accounts (id),
        csrf       TEXT    NOT NULL,
        created    TEXT    NOT NULL,
        expires    TEXT    NOT NULL,
        attempts   INTEGER NOT NULL DEFAULT 0,
        ended      INTEGER NOT NULL DEFAULT 0 CHECK (ended IN (0, 1))
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS pending_sign_ins_by_account ON pending_sign_ins (account, ended)",
    "CREATE INDEX IF NOT EXISTS pending_sign_ins_by_expiry ON pending_sign_ins (expires)",
    "INSERT OR IGNORE INTO account_schema (singleton, version) VALUES (1, ?)",
)

_ACCOUNT_BY_USERNAME = (
    "SELECT id, username, display_name, password_hash, created, disabled, temporary_until"
    " FROM accounts WHERE username = ?"
)
_ACCOUNT_BY_ID = (
    "SELECT id, username, display_name, password_hash, created, disabled, temporary_until"
    " FROM accounts WHERE id = ?"
)
_SELECT_SESSION = (
    "SELECT token_hash, account, csrf, created, last_seen, idle_expires, absolute_expires,"
    " ended, public_id, client, agent FROM sessions WHERE token_hash = ?"
)
_SESSIONS_OF = (
    "SELECT token_hash, account, csrf, created, last_seen, idle_expires, absolute_expires,"
    " ended, public_id, client, agent FROM sessions WHERE account = ? AND ended = 0"
    " ORDER BY created DESC, public_id"
)
# What the lockout counts (coldcheck.app.lockout): a username's failures after its last
# successful sign-in, and a client address's failures whatever the username.
_FAILURES_OF_USERNAME = (
    "SELECT time FROM auth_events WHERE username = ?"
    " AND kind IN ('failure', 'mfa_failure') AND time >= ?"
    " AND seq > coalesce((SELECT max(seq) FROM auth_events"
    " WHERE username = ? AND kind = 'sign_in'), 0) ORDER BY seq"
)
_FAILURES_FROM_CLIENT = (
    "SELECT time FROM auth_events WHERE client = ? AND kind IN ('failure', 'mfa_failure')"
    " AND time >= ? ORDER BY seq"
)
# ... and, for a claim, with the attempts claimed and not yet settled (as if they failed)
_CLAIMED_OF_USERNAME = (
    "SELECT time FROM auth_events WHERE username = ?"
    " AND kind IN ('failure', 'mfa_failure') AND time >= ?"
    " AND seq > coalesce((SELECT max(seq) FROM auth_events"
    " WHERE username = ? AND kind = 'sign_in'), 0)"
    " UNION ALL SELECT time FROM auth_attempts WHERE username = ?"
)
_CLAIMED_FROM_CLIENT = (
    "SELECT time FROM auth_events WHERE client = ? AND kind IN ('failure', 'mfa_failure')"
    " AND time >= ? UNION ALL SELECT time FROM auth_attempts WHERE client = ?"
)
_SELECT_IDEMPOTENT = (
    "SELECT account, idem_key, fingerprint, status, body, created FROM idempotency"
    " WHERE account = ? AND idem_key = ?"
)


def _unavailable(path: Path, exc: sqlite3.OperationalError, doing: str) -> StoreError:
    return StoreError(
        f"the store {path} cannot be {doing} now ({exc}), so nothing was written: try again, "
        "and if it persists check that no other program holds the file and that the disk "
        "has space"
    )


def _time(moment: datetime) -> str:
    try:
        return format_time(moment)
    except EncodingError as exc:
        raise StoreError("account store times must be timezone-aware datetimes") from exc


def _hex64(value: str | None, what: str) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise StoreError(f"{what} must be a SHA-256 in 64 lowercase hex digits")
    return value


def _cut(text: str) -> str:
    return text[:EVENT_TEXT_MAX]


def _account(row: Sequence[Any]) -> Account:
    return Account(
        id=row[0],
        username=row[1],
        display_name=row[2],
        password_hash=row[3],
        created=parse_time(row[4]),
        disabled=bool(row[5]),
        temporary_until=parse_time(row[6]) if row[6] is not None else None,
    )


def _session(row: Sequence[Any]) -> Session:
    return Session(
        token_hash=row[0],
        account=row[1],
        csrf=row[2],
        created=parse_time(row[3]),
        last_seen=parse_time(row[4]),
        idle_expires=parse_time(row[5]),
        absolute_expires=parse_time(row[6]),
        ended=bool(row[7]),
        id=row[8],
        client=row[9],
        agent=row[10],
    )


def _idempotent(row: Sequence[Any]) -> IdempotentResponse:
    return IdempotentResponse(
        account=row[0],
        key=row[1],
        fingerprint=row[2],
        status=row[3],
        body=row[4],
        created=parse_time(row[5]),
    )


class SqliteAccountStore(SqliteSecondFactor):
    """The account store port on the ledger store's SQLite file (the second factor's tables
    through the ``SqliteSecondFactor`` mixin)."""

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
        # Recognise (or create) the coldcheck store first, exactly as the ledger does.
        SqliteStore(
            path, create=create, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms
        ).close()
        self.path = path
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                path, isolation_level=None, timeout=busy_timeout_ms / 1000, check_same_thread=False
            )
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path} cannot be opened for accounts ({exc}); check the path and its permissions"
            ) from exc
        try:
            self._configure(synchronous, busy_timeout_ms, create)
        except sqlite3.OperationalError as exc:
            self._db.close()
            raise _unavailable(path, exc, "opened") from exc
        except BaseException:
            self._db.close()
            raise

    def _configure(self, synchronous: str, busy_timeout_ms: int, create: bool) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        db.execute(f"PRAGMA synchronous = {synchronous}")  # checked against _SYNCHRONOUS
        db.execute("PRAGMA foreign_keys = ON")
        version = self._schema_version()
        if version is None:
            if not create:
                raise StoreError(
                    f"the store {self.path} holds no accounts yet; open it once with "
                    "create=True (the command that adds the first account does) to add them"
                )
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA[:-1]:
                    db.execute(statement)
                db.execute(_SCHEMA[-1], (ACCOUNT_SCHEMA_VERSION,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            version = self._schema_version()
        if version == 1:
            self._upgrade_from_1()
            version = self._schema_version()
        if version != ACCOUNT_SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has accounts schema {version}; this coldcheck reads accounts "
                f"schema {ACCOUNT_SCHEMA_VERSION}"
            )

    def _upgrade_from_1(self) -> None:
        """Upgrade a version-1 file in place, in one transaction (all of it, or none)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if self._schema_version() == 1:  # not upgraded by another worker meanwhile
                upgrade_v1(db, _SCHEMA[:-1])
                db.execute(
                    "UPDATE account_schema SET version = ? WHERE singleton = 1",
                    (ACCOUNT_SCHEMA_VERSION,),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _schema_version(self) -> int | None:
        exists = self._db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
            ("account_schema",),
        ).fetchone()[0]
        if not exists:
            return None
        row = self._db.execute("SELECT version FROM account_schema WHERE singleton = 1").fetchone()
        return int(row[0]) if row else None

    # -- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction under SQLite's write lock; any failure rolls everything back."""
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _unavailable(self.path, exc, "written") from exc
            try:
                yield db
                db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._rollback()
                raise _unavailable(self.path, exc, "written") from exc
            except sqlite3.IntegrityError as exc:
                self._rollback()
                raise StoreError(
                    f"the write collides with stored data ({exc}); nothing was written"
                ) from exc
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _read(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise StoreError(
                    f"the store {self.path} cannot be read now ({exc}); try again, and if it "
                    "persists check that no other program holds the file"
                ) from exc

    # -- accounts -------------------------------------------------------------------------------

    def add_account(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str,
        created: datetime,
        temporary_until: datetime | None = None,
    ) -> Account:
        if not password_hash.startswith("$argon2id$"):
            raise StoreError("a password is stored only as an argon2id hash, never as given")
        stamp = _time(created)
        until = _time(temporary_until) if temporary_until is not None else None
        with self._write() as db:
            if db.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone():
                raise Duplicate(f"the username {username!r} is taken")
            number = db.execute("SELECT coalesce(max(number), 0) + 1 FROM accounts").fetchone()[0]
            account_id = f"A{number:04d}"
            db.execute(
                "INSERT INTO accounts (number, id, username, display_name, password_hash, created,"
                " temporary_until) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (number, account_id, username, display_name, password_hash, stamp, until),
            )
        return Account(
            id=account_id,
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            created=parse_time(stamp),
            temporary_until=parse_time(until) if until is not None else None,
        )

    def account_by_username(self, username: str) -> Account | None:
        rows = self._read(
            _ACCOUNT_BY_USERNAME,
            (username,),
        )
        return _account(rows[0]) if rows else None

    def account_by_id(self, account: str) -> Account | None:
        rows = self._read(
            _ACCOUNT_BY_ID,
            (account,),
        )
        return _account(rows[0]) if rows else None

    def set_password_hash(
        self, account: str, password_hash: str, *, temporary_until: datetime | None = None
    ) -> None:
        if not password_hash.startswith("$argon2id$"):
            raise StoreError("a password is stored only as an argon2id hash, never as given")
        until = _time(temporary_until) if temporary_until is not None else None
        with self._write() as db:
            changed = db.execute(
                "UPDATE accounts SET password_hash = ?, temporary_until = ? WHERE id = ?",
                (password_hash, until, account),
            ).rowcount
            if changed != 1:
                raise StoreError(f"there is no account {account}")

    def set_disabled(self, account: str, disabled: bool) -> None:
        with self._write() as db:
            changed = db.execute(
                "UPDATE accounts SET disabled = ? WHERE id = ?", (int(disabled), account)
            ).rowcount
            if changed != 1:
                raise StoreError(f"there is no account {account}")

    # -- memberships ----------------------------------------------------------------------------

    def add_membership(self, account: str, production: str, person: str) -> Membership:
        with self._write() as db:
            if not db.execute("SELECT 1 FROM accounts WHERE id = ?", (account,)).fetchone():
                raise StoreError(f"there is no account {account}")
            row = db.execute(
                "SELECT person FROM memberships WHERE account = ? AND production = ?",
                (account, production),
            ).fetchone()
            if row:
                raise Duplicate(f"account {account} already acts as {row[0]} in {production}")
            row = db.execute(
                "SELECT account FROM memberships WHERE production = ? AND person = ?",
                (production, person),
            ).fetchone()
            if row:
                raise Duplicate(f"{person} of {production} is already linked to account {row[0]}")
            db.execute(
                "INSERT INTO memberships (account, production, person) VALUES (?, ?, ?)",
                (account, production, person),
            )
        return Membership(account=account, production=production, person=person)

    def memberships(self, account: str) -> list[Membership]:
        rows = self._read(
            "SELECT account, production, person FROM memberships"
            " WHERE account = ? ORDER BY production",
            (account,),
        )
        return [Membership(account=r[0], production=r[1], person=r[2]) for r in rows]

    def member(self, account: str, production: str) -> str | None:
        rows = self._read(
            "SELECT person FROM memberships WHERE account = ? AND production = ?",
            (account, production),
        )
        return str(rows[0][0]) if rows else None

    # -- sessions -------------------------------------------------------------------------------

    def new_session(
        self,
        *,
        token_hash: str,
        account: str,
        csrf: str,
        created: datetime,
        idle_expires: datetime,
        absolute_expires: datetime,
        client: str = "",
        agent: str = "",
    ) -> Session:
        _hex64(token_hash, "a session's token hash")
        stamps = (_time(created), _time(idle_expires), _time(absolute_expires))
        public_id = secrets.token_hex(PUBLIC_ID_BYTES)
        with self._write() as db:
            if not db.execute("SELECT 1 FROM accounts WHERE id = ?", (account,)).fetchone():
                raise StoreError(f"there is no account {account}")
            if db.execute("SELECT 1 FROM sessions WHERE token_hash = ?", (token_hash,)).fetchone():
                raise Duplicate("a session with this token hash exists already")
            db.execute(
                "INSERT INTO sessions (token_hash, account, csrf, created, last_seen,"
                " idle_expires, absolute_expires, ended, public_id, client, agent)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                (
                    token_hash,
                    account,
                    csrf,
                    stamps[0],
                    stamps[0],
                    stamps[1],
                    stamps[2],
                    public_id,
                    _cut(client),
                    _cut(agent),
                ),
            )
        return Session(
            token_hash=token_hash,
            account=account,
            csrf=csrf,
            created=parse_time(stamps[0]),
            last_seen=parse_time(stamps[0]),
            idle_expires=parse_time(stamps[1]),
            absolute_expires=parse_time(stamps[2]),
            id=public_id,
            client=_cut(client),
            agent=_cut(agent),
        )

    def session(self, token_hash: str) -> Session | None:
        rows = self._read(
            _SELECT_SESSION,
            (_hex64(token_hash, "a session's token hash"),),
        )
        return _session(rows[0]) if rows else None

    def touch_session(
        self, token_hash: str, *, last_seen: datetime, idle_expires: datetime
    ) -> bool:
        _hex64(token_hash, "a session's token hash")
        with self._write() as db:
            changed: int = db.execute(
                "UPDATE sessions SET last_seen = ?, idle_expires = ?"
                " WHERE token_hash = ? AND ended = 0",
                (_time(last_seen), _time(idle_expires), token_hash),
            ).rowcount
        return changed == 1

    def end_session(self, token_hash: str) -> bool:
        _hex64(token_hash, "a session's token hash")
        with self._write() as db:
            changed: int = db.execute(
                "UPDATE sessions SET ended = 1 WHERE token_hash = ? AND ended = 0", (token_hash,)
            ).rowcount
        return changed == 1

    def end_sessions_of(self, account: str, *, keep: str | None = None) -> int:
        if keep is not None:
            _hex64(keep, "the kept session's token hash")
        with self._write() as db:
            # ``token_hash IS NOT NULL`` holds for every row: no ``keep`` ends them all.
            ended: int = db.execute(
                "UPDATE sessions SET ended = 1"
                " WHERE account = ? AND ended = 0 AND token_hash IS NOT ?",
                (account, keep),
            ).rowcount
            # a sign-in waiting for its code would open a new session: it ends too, and so
            # does any authenticator app being set up (by a sign-in or from the account page)
            db.execute(
                "UPDATE pending_sign_ins SET ended = 1 WHERE account = ? AND ended = 0",
                (account,),
            )
            db.execute("DELETE FROM totp_enrolments WHERE account = ?", (account,))
        return ended

    def sessions_of(self, account: str) -> list[Session]:
        return [_session(row) for row in self._read(_SESSIONS_OF, (account,))]

    def end_all_sessions(self) -> int:
        with self._write() as db:
            ended: int = db.execute("UPDATE sessions SET ended = 1 WHERE ended = 0").rowcount
            db.execute("UPDATE pending_sign_ins SET ended = 1 WHERE ended = 0")
            db.execute("DELETE FROM totp_enrolments")
        return ended

    # -- the sign-in log ------------------------------------------------------------------------

    def record_event(
        self,
        *,
        time: datetime,
        kind: AuthEventKind,
        username: str,
        account: str | None,
        client: str,
    ) -> None:
        try:
            kind = AuthEventKind(kind)
        except ValueError:
            raise StoreError(f"{kind!r} is not a kind of sign-in event") from None
        stamp = _time(time)
        with self._write() as db:
            db.execute(
                "INSERT INTO auth_events (time, kind, username, account, client)"
                " VALUES (?, ?, ?, ?, ?)",
                (stamp, kind.value, _cut(username), account, _cut(client)),
            )

    def failures_since(self, username: str, since: datetime) -> list[datetime]:
        name = _cut(username)
        rows = self._read(_FAILURES_OF_USERNAME, (name, _time(since), name))
        return [parse_time(r[0]) for r in rows]

    def failures_from(self, client: str, since: datetime) -> list[datetime]:
        rows = self._read(_FAILURES_FROM_CLIENT, (_cut(client), _time(since)))
        return [parse_time(r[0]) for r in rows]

    def claim_attempt(
        self, *, username: str, client: str, time: datetime, since: datetime
    ) -> AttemptClaim:
        name, address, after = _cut(username), _cut(client), _time(since)
        with self._write() as db:
            db.execute("DELETE FROM auth_attempts WHERE time < ?", (after,))
            failures = db.execute(_CLAIMED_OF_USERNAME, (name, after, name, name)).fetchall()
            client_failures = (
                db.execute(_CLAIMED_FROM_CLIENT, (address, after, address)).fetchall()
                if address
                else []
            )
            claim = db.execute(
                "INSERT INTO auth_attempts (time, username, client) VALUES (?, ?, ?)",
                (_time(time), name, address),
            ).lastrowid
        return AttemptClaim(
            id=int(claim or 0),
            failures=sorted(parse_time(r[0]) for r in failures),
            client_failures=sorted(parse_time(r[0]) for r in client_failures),
        )

    def release_attempt(self, claim: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM auth_attempts WHERE id = ?", (int(claim),))

    def events(self, limit: int = 100) -> list[AuthEvent]:
        if limit < 0:
            raise StoreError("the number of events to list cannot be negative")
        rows = self._read(
            "SELECT seq, time, kind, username, account, client FROM auth_events"
            " ORDER BY seq DESC LIMIT ?",
            (limit,),
        )
        return [
            AuthEvent(
                seq=r[0],
                time=parse_time(r[1]),
                kind=AuthEventKind(r[2]),
                username=r[3],
                account=r[4],
                client=r[5],
            )
            for r in rows
        ]

    # -- idempotency ----------------------------------------------------------------------------

    def idempotent_get(self, account: str, key: str) -> IdempotentResponse | None:
        rows = self._read(_SELECT_IDEMPOTENT, (account, key))
        return _idempotent(rows[0]) if rows else None

    def idempotent_put(
        self,
        *,
        account: str,
        key: str,
        fingerprint: str,
        status: int,
        body: str,
        created: datetime,
    ) -> IdempotentResponse:
        _hex64(fingerprint, "a request fingerprint")
        if not 1 <= len(key) <= 255:
            raise StoreError("an idempotency key has 1 to 255 characters")
        stamp = _time(created)
        with self._write() as db:
            if not db.execute("SELECT 1 FROM accounts WHERE id = ?", (account,)).fetchone():
                raise StoreError(f"there is no account {account}")
            row = db.execute(_SELECT_IDEMPOTENT, (account, key)).fetchone()
            if row:
                return _idempotent(row)  # the first response stands
            db.execute(
                "INSERT INTO idempotency (account, idem_key, fingerprint, status, body, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (account, key, fingerprint, status, body, stamp),
            )
        return IdempotentResponse(
            account=account,
            key=key,
            fingerprint=fingerprint,
            status=status,
            body=body,
            created=parse_time(stamp),
        )

    def idempotent_complete(self, *, account: str, key: str, status: int, body: str) -> bool:
        if status == 0:
            raise StoreError("a completed response has a status other than 0")
        with self._write() as db:
            done: int = db.execute(
                "UPDATE idempotency SET status = ?, body = ?"
                " WHERE account = ? AND idem_key = ? AND status = 0",
                (status, body, account, key),
            ).rowcount
        return done == 1

    def idempotent_release(self, account: str, key: str) -> bool:
        with self._write() as db:
            gone: int = db.execute(
                "DELETE FROM idempotency WHERE account = ? AND idem_key = ? AND status = 0",
                (account, key),
            ).rowcount
        return gone == 1

    def purge_idempotency(self, before: datetime) -> int:
        with self._write() as db:
            purged: int = db.execute(
                "DELETE FROM idempotency WHERE created < ?", (_time(before),)
            ).rowcount
        return purged

    def close(self) -> None:
        with self._lock:
            self._db.close()
