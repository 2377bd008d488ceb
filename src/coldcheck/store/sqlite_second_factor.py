"""The SQLite adapter's second-factor tables: ``totp``, ``totp_enrolments``,
``recovery_codes`` and ``pending_sign_ins`` (created with the other accounts tables, see
``_SCHEMA`` in coldcheck.store.sqlite_accounts).

A mixin of ``SqliteAccountStore``: it runs on that class's connection, lock and write
discipline (``_write``: ``BEGIN IMMEDIATE``, so a check and the write it guards happen under
SQLite's one write lock; ``_read``). The single-use guarantees are single UPDATE statements
whose WHERE clause holds the condition (``last_step < ?``, ``used IS NULL``, ``ended = 0``,
``attempts < ?``), so that of two workers racing for the same code or pending sign-in exactly
one changes the row; confirming a set-up checks its owner and writes everything it changes in
one transaction.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from coldcheck.ledger.entry import format_time, parse_time
from coldcheck.ledger.errors import EncodingError
from coldcheck.store.accounts import Duplicate
from coldcheck.store.port import StoreError
from coldcheck.store.second_factor import PendingSignIn, Totp, TotpEnrolment

_HEX64 = re.compile(r"[0-9a-f]{64}")
_BASE32 = re.compile(r"[A-Z2-7]{24,64}")
_SELECT_PENDING = (
    "SELECT token_hash, account, csrf, created, expires, attempts, ended FROM pending_sign_ins"
    " WHERE token_hash = ?"
)


class _Connection(Protocol):
    """What the mixin needs of ``SqliteAccountStore``."""

    def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def _read(self, sql: str, params: Sequence[Any]) -> list[Any]: ...


def _time(moment: datetime) -> str:
    try:
        return format_time(moment)
    except EncodingError as exc:
        raise StoreError("account store times must be timezone-aware datetimes") from exc


def _hash(value: str, what: str) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise StoreError(f"{what} must be a SHA-256 in 64 lowercase hex digits")
    return value


def _secret(value: str) -> str:
    if not isinstance(value, str) or not _BASE32.fullmatch(value):
        raise StoreError("a TOTP secret is 24 to 64 base32 characters (A-Z, 2-7), unpadded")
    return value


def _need_account(db: sqlite3.Connection, account: str) -> None:
    if not db.execute("SELECT 1 FROM accounts WHERE id = ?", (account,)).fetchone():
        raise StoreError(f"there is no account {account}")


def _pending(row: Sequence[Any]) -> PendingSignIn:
    return PendingSignIn(
        token_hash=row[0],
        account=row[1],
        csrf=row[2],
        created=parse_time(row[3]),
        expires=parse_time(row[4]),
        attempts=int(row[5]),
        ended=bool(row[6]),
    )


def _owner_may_confirm(
    db: sqlite3.Connection,
    account: str,
    owner: str,
    stamp: str,
    signing_in: bool,
    keep: str | None,
) -> bool:
    """Whether the owner of a set-up may confirm it now (see ``enrol_totp``)."""
    if signing_in:
        return (
            db.execute(
                "SELECT 1 FROM pending_sign_ins"
                " WHERE token_hash = ? AND account = ? AND ended = 0 AND expires > ?",
                (owner, account, stamp),
            ).fetchone()
            is not None
        )
    if db.execute("SELECT 1 FROM pending_sign_ins WHERE token_hash = ?", (owner,)).fetchone():
        return False  # a sign-in's set-up is confirmed only by completing that sign-in
    return keep is None or (
        db.execute(
            "SELECT 1 FROM sessions WHERE token_hash = ? AND account = ? AND ended = 0",
            (keep, account),
        ).fetchone()
        is not None
    )


class SqliteSecondFactor:
    """TOTP, recovery codes and pending sign-ins on ``SqliteAccountStore``'s connection."""

    # -- TOTP ----------------------------------------------------------------------------------

    def totp(self: _Connection, account: str) -> Totp | None:
        rows = self._read(
            "SELECT account, secret, enrolled, last_step FROM totp WHERE account = ?", (account,)
        )
        if not rows:
            return None
        row = rows[0]
        return Totp(
            account=row[0], secret=row[1], enrolled=parse_time(row[2]), last_step=int(row[3])
        )

    def start_totp_enrolment(
        self: _Connection,
        account: str,
        *,
        secret: str,
        owner: str,
        created: datetime,
        expires: datetime,
    ) -> TotpEnrolment:
        stamps = (_time(created), _time(expires))
        _hash(owner, "the hash of a set-up's owner")
        with self._write() as db:
            _need_account(db, account)
            db.execute(
                "INSERT OR REPLACE INTO totp_enrolments (account, secret, owner, created, expires)"
                " VALUES (?, ?, ?, ?, ?)",
                (account, _secret(secret), owner, *stamps),
            )
        return TotpEnrolment(
            account=account,
            secret=secret,
            owner=owner,
            created=parse_time(stamps[0]),
            expires=parse_time(stamps[1]),
        )

    def totp_enrolment(self: _Connection, account: str) -> TotpEnrolment | None:
        rows = self._read(
            "SELECT account, secret, owner, created, expires FROM totp_enrolments"
            " WHERE account = ?",
            (account,),
        )
        if not rows:
            return None
        row = rows[0]
        return TotpEnrolment(
            account=row[0],
            secret=row[1],
            owner=row[2],
            created=parse_time(row[3]),
            expires=parse_time(row[4]),
        )

    def enrol_totp(
        self: _Connection,
        account: str,
        *,
        secret: str,
        owner: str,
        enrolled: datetime,
        last_step: int,
        recovery_hashes: list[str],
        signing_in: bool = False,
        keep: str | None = None,
    ) -> bool:
        _secret(secret)
        _hash(owner, "the hash of a set-up's owner")
        if keep is not None:
            _hash(keep, "the kept session's token hash")
        hashes = [_hash(h, "a recovery code's hash") for h in recovery_hashes]
        if len(set(hashes)) != len(hashes):
            raise StoreError("the recovery codes of an account must all differ")
        stamp = _time(enrolled)
        with self._write() as db:
            # Every condition is read under the write lock, before anything is written.
            if not db.execute(
                "SELECT 1 FROM totp_enrolments WHERE account = ? AND secret = ? AND owner = ?",
                (account, secret, owner),
            ).fetchone():
                return False
            if not _owner_may_confirm(db, account, owner, stamp, signing_in, keep):
                return False
            db.execute("DELETE FROM totp_enrolments WHERE account = ?", (account,))
            db.execute(
                "INSERT OR REPLACE INTO totp (account, secret, enrolled, last_step)"
                " VALUES (?, ?, ?, ?)",
                (account, secret, stamp, int(last_step)),
            )
            db.execute("DELETE FROM recovery_codes WHERE account = ?", (account,))
            for code_hash in hashes:
                if db.execute(
                    "SELECT 1 FROM recovery_codes WHERE code_hash = ?", (code_hash,)
                ).fetchone():
                    raise Duplicate("a recovery code with this hash exists already")
                db.execute(
                    "INSERT INTO recovery_codes (code_hash, account, created) VALUES (?, ?, ?)",
                    (code_hash, account, stamp),
                )
            # A new factor: every other session and every pending sign-in of the account end
            # (the set-up's own pending sign-in with them: it opens its session next).
            db.execute(
                "UPDATE sessions SET ended = 1"
                " WHERE account = ? AND ended = 0 AND token_hash IS NOT ?",
                (account, keep),
            )
            db.execute(
                "UPDATE pending_sign_ins SET ended = 1 WHERE account = ? AND ended = 0",
                (account,),
            )
        return True

    def accept_totp_step(self: _Connection, account: str, step: int) -> bool:
        with self._write() as db:
            moved: int = db.execute(
                "UPDATE totp SET last_step = ? WHERE account = ? AND last_step < ?",
                (int(step), account, int(step)),
            ).rowcount
        return moved == 1

    def reset_second_factor(self: _Connection, account: str) -> bool:
        with self._write() as db:
            had: int = db.execute("DELETE FROM totp WHERE account = ?", (account,)).rowcount
            db.execute("DELETE FROM totp_enrolments WHERE account = ?", (account,))
            db.execute("DELETE FROM recovery_codes WHERE account = ?", (account,))
            db.execute(
                "UPDATE pending_sign_ins SET ended = 1 WHERE account = ? AND ended = 0", (account,)
            )
        return had == 1

    # -- recovery codes ------------------------------------------------------------------------

    def use_recovery_code(
        self: _Connection, account: str, code_hash: str, *, used: datetime
    ) -> bool:
        _hash(code_hash, "a recovery code's hash")
        with self._write() as db:
            marked: int = db.execute(
                "UPDATE recovery_codes SET used = ?"
                " WHERE code_hash = ? AND account = ? AND used IS NULL",
                (_time(used), code_hash, account),
            ).rowcount
        return marked == 1

    def recovery_codes_left(self: _Connection, account: str) -> int:
        rows = self._read(
            "SELECT count(*) FROM recovery_codes WHERE account = ? AND used IS NULL", (account,)
        )
        return int(rows[0][0])

    # -- pending sign-ins ----------------------------------------------------------------------

    def new_pending_sign_in(
        self: _Connection,
        *,
        token_hash: str,
        account: str,
        csrf: str,
        created: datetime,
        expires: datetime,
    ) -> PendingSignIn:
        _hash(token_hash, "a pending sign-in's token hash")
        stamps = (_time(created), _time(expires))
        with self._write() as db:
            _need_account(db, account)
            db.execute("DELETE FROM pending_sign_ins WHERE expires < ?", (stamps[0],))
            if db.execute(
                "SELECT 1 FROM pending_sign_ins WHERE token_hash = ?", (token_hash,)
            ).fetchone():
                raise Duplicate("a pending sign-in with this token hash exists already")
            db.execute(
                "INSERT INTO pending_sign_ins (token_hash, account, csrf, created, expires)"
                " VALUES (?, ?, ?, ?, ?)",
                (token_hash, account, csrf, *stamps),
            )
        return PendingSignIn(
            token_hash=token_hash,
            account=account,
            csrf=csrf,
            created=parse_time(stamps[0]),
            expires=parse_time(stamps[1]),
        )

    def pending_sign_in(self: _Connection, token_hash: str) -> PendingSignIn | None:
        rows = self._read(_SELECT_PENDING, (_hash(token_hash, "a pending sign-in's token hash"),))
        return _pending(rows[0]) if rows else None

    def claim_pending_attempt(self: _Connection, token_hash: str, limit: int) -> int:
        _hash(token_hash, "a pending sign-in's token hash")
        with self._write() as db:
            counted: int = db.execute(
                "UPDATE pending_sign_ins SET attempts = attempts + 1"
                " WHERE token_hash = ? AND ended = 0 AND attempts < ?",
                (token_hash, int(limit)),
            ).rowcount
            if counted != 1:
                return 0
            row = db.execute(
                "SELECT attempts FROM pending_sign_ins WHERE token_hash = ?", (token_hash,)
            ).fetchone()
        return int(row[0])

    def end_pending_sign_in(self: _Connection, token_hash: str) -> bool:
        _hash(token_hash, "a pending sign-in's token hash")
        with self._write() as db:
            ended: int = db.execute(
                "UPDATE pending_sign_ins SET ended = 1 WHERE token_hash = ? AND ended = 0",
                (token_hash,),
            ).rowcount
        return ended == 1
